package crawler

import (
	"net/url"
	"reflect"
	"testing"
)

func TestJSONAPIs(t *testing.T) {
	base, _ := url.Parse("http://www.example.gov.cn/zfxxgk/nb/index.html")
	for _, tc := range []struct {
		name, src string
		want      []string
	}{
		{"jquery ajax with data", `<div ms-controller="nb"><li ms-repeat="el in list">{{el.title}}</li></div>
<script>$.ajax({url: "/api/nb/list.do", type: "get", data: {channelId: 12, page: 1, key: kw}, success: function(d){}});</script>`,
			[]string{"http://www.example.gov.cn/api/nb/list.do?channelId=12&page=1"}},
		{"trs list2.trsapi config", `<script>var cfg = {url: './list2.trsapi?channelid=5&page=', pageSize: 15};</script><ul v-for="d in docs"></ul>`,
			[]string{"http://www.example.gov.cn/zfxxgk/nb/list2.trsapi?channelid=5&page=1"}},
		{"fetch and getJSON", `<script>fetch('/nb/data.json').then(r=>r.json()); $.getJSON("list.jsp?type=nb", function(){});</script>`,
			[]string{"http://www.example.gov.cn/nb/data.json", "http://www.example.gov.cn/zfxxgk/nb/list.jsp?type=nb"}},
		{"jsonp script src", `<script src="/api/list?callback=render&template=nb"></script>`,
			[]string{"http://www.example.gov.cn/api/list?callback=render&template=nb"}},
		{"no api", `<script src="/js/jquery.min.js"></script><script>$(function(){ $('.nav').show(); });</script>`, nil},
		{"script and css are no api", `<script>$.ajax({url: '/js/menu.js'}); $.get('/css/a.css');</script>`, nil},
	} {
		if got := jsonAPIs(base, tc.src); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestJSONList(t *testing.T) {
	api, _ := url.Parse("http://www.example.gov.cn/api/nb/list.do?channelId=12&page=1")
	body := []byte(`{"code":0,"data":{"totalPage":3,"list":[
{"DOCTITLE":"某县教育局2023年政府信息公开工作年度报告","DOCPUBURL":"/zfxxgk/nb/202401/t20240110_1.html","clicks":5},
{"title":"2022年度","url":"http://www.example.gov.cn/zfxxgk/nb/202301/t20230110_2.html"},
{"title":"no url"}]}}`)
	links, pages, ok := jsonList(api, body)
	if !ok {
		t.Fatal("not read as JSON")
	}
	want := []Link{{URL: "http://www.example.gov.cn/zfxxgk/nb/202401/t20240110_1.html", Text: "某县教育局2023年政府信息公开工作年度报告"},
		{URL: "http://www.example.gov.cn/zfxxgk/nb/202301/t20230110_2.html", Text: "2022年度"}}
	if !reflect.DeepEqual(links, want) {
		t.Errorf("links = %+v", links)
	}
	if len(pages) != 2 || pages[0] != "http://www.example.gov.cn/api/nb/list.do?channelId=12&page=2" {
		t.Errorf("pages = %q", pages)
	}
	// JSONP, records counted instead of pages, zero-based paging
	api2, _ := url.Parse("http://www.example.gov.cn/api/list?pageIndex=0&callback=cb")
	links, pages, ok = jsonList(api2, []byte(`cb({"total": 25, "pageSize": 10, "rows": [{"vc_title": "2021年报", "vc_url": "/a.html"}]});`))
	if !ok || len(links) != 1 || len(pages) != 2 || pages[1] != "http://www.example.gov.cn/api/list?callback=cb&pageIndex=2" {
		t.Errorf("jsonp: ok %v links %v pages %q", ok, links, pages)
	}
	// a later page gives no more pages; HTML is no JSON
	api3, _ := url.Parse("http://www.example.gov.cn/api/nb/list.do?page=2")
	if _, pages, _ := jsonList(api3, body); len(pages) != 0 {
		t.Errorf("page 2 gave pages %q", pages)
	}
	if _, _, ok := jsonList(api, []byte("<html></html>")); ok {
		t.Error("HTML read as JSON")
	}
}
