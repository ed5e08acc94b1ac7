package crawler

import (
	"bytes"
	"encoding/json"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Lists built by script from a JSON API, followed without a browser: the
// page's scripts name the API ($.ajax/$.get/$.getJSON/$.post, fetch,
// axios, XMLHttpRequest.open, a url: property of an avalon/Vue/TRS list
// configuration such as the list2.trsapi of TRS "动静结合" columns, or a
// <script src> JSONP call), and the API answers JSON records that carry a
// title and a URL. The API is fetched as a list page; its records are
// followed like the anchors of one, and its paging (total pages or
// records) gives the other pages of the API.

// maxAPIsPerPage caps the JSON APIs taken from one page.
const maxAPIsPerPage = 5

// maxAPIPages caps the pages of one JSON API.
const maxAPIPages = 50

var (
	// reAPICall finds a call that asks a server for data; the first
	// quoted URL after it is the API.
	reAPICall = regexp.MustCompile(`(?:\$|jQuery)\s*\.\s*(?:ajax|get|getJSON|post)\s*\(|\bfetch\s*\(|\baxios(?:\s*\.\s*(?:get|post|request))?\s*\(|\.open\s*\(\s*['"](?:GET|POST)['"]\s*,|\b(?:url|api|dataUrl|listUrl|apiUrl)\s*:\s*['"]`)
	reQuoted  = regexp.MustCompile(`['"]([^'"\s<>]{2,300})['"]`)
	// reDataObj is the data/params object of an ajax call.
	reDataObj = regexp.MustCompile(`\b(?:data|params)\s*:\s*\{([^{}]*)\}`)
	// reScriptSrcAPI is a <script src> that returns data (JSONP).
	reScriptSrcAPI = regexp.MustCompile(`(?i)<script[^>]+src\s*=\s*['"]([^'"]*(?:callback=|jsonp|\.json|trsapi|/api/)[^'"]*)['"]`)
	// reTemplate marks a page whose list is built from data in the
	// browser (avalon, Vue, TRS templates, art-template, laytpl).
	reTemplate = regexp.MustCompile(`ms-(?:repeat|for|controller)|v-for=|\{\{\s*[\w.]+\s*\}\}|trsapi|template|laytpl|<%=`)
	reNotAPI   = regexp.MustCompile(`(?i)\.(?:css|js|png|jpe?g|gif|svg|ico|woff2?|ttf)(?:$|\?)|^(?:javascript|data|mailto):|^#`)
	reJSONP    = regexp.MustCompile(`(?s)^\s*[\w$.]+\s*\((.*)\)\s*;?\s*$`)
)

// templateLiterals are literals one of which every match of reTemplate
// contains: a page with none of them has no template, and the regexp
// (slow on a whole page) is not run.
var templateLiterals = []string{"ms-", "v-for=", "{{", "trsapi", "template", "laytpl", "<%="}

// hasTemplate reports whether src matches reTemplate.
func hasTemplate(src string) bool {
	for _, lit := range templateLiterals {
		if strings.Contains(src, lit) {
			return reTemplate.MatchString(src)
		}
	}
	return false
}

// pageParams are query parameters that number a list's pages.
var pageParams = []string{"page", "pageno", "pagenum", "pageindex", "currpage", "currentpage", "curpage", "pagenumber", "page_no", "pn", "p"}

// jsonAPIs returns the JSON list APIs the scripts of a page call (src is
// the page's decoded HTML), resolved against base, at most
// maxAPIsPerPage. The literal data of an ajax call is added to the URL's
// query; a URL ending in a page parameter (…?page=' + n) asks for page 1.
func jsonAPIs(base *url.URL, src string) []string {
	if !strings.Contains(src, "ajax") && !strings.Contains(src, "fetch(") && !strings.Contains(src, "axios") && !hasTemplate(src) {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	addRef := func(ref, data string) {
		u, ok := apiURL(base, ref, data)
		if !ok || seen[u] || len(out) >= maxAPIsPerPage {
			return
		}
		seen[u] = true
		out = append(out, u)
	}
	for _, loc := range reAPICall.FindAllStringIndex(src, 50) {
		start := loc[1]
		if src[start-1] == '\'' || src[start-1] == '"' {
			start-- // url: '…' : the quote opens the URL
		}
		window := src[start:min(len(src), start+400)]
		m := reQuoted.FindStringSubmatch(window)
		if m == nil {
			continue
		}
		data := ""
		if d := reDataObj.FindStringSubmatch(window); d != nil {
			data = d[1]
		}
		addRef(m[1], data)
	}
	for _, m := range reScriptSrcAPI.FindAllStringSubmatch(src, 10) {
		addRef(m[1], "")
	}
	return out
}

// apiURL builds the URL of an API call from its quoted reference and the
// literal pairs of its data object.
func apiURL(base *url.URL, ref, data string) (string, bool) {
	ref = strings.TrimSpace(ref)
	if reNotAPI.MatchString(ref) || !(strings.HasPrefix(ref, "/") || strings.HasPrefix(ref, ".") || strings.HasPrefix(ref, "http") || strings.ContainsAny(ref, "/?.")) {
		return "", false
	}
	if strings.HasSuffix(ref, "=") {
		// '…/list?channelId=5&page=' + page
		i := strings.LastIndexAny(ref, "?&")
		if i >= 0 && isPageParam(ref[i+1:len(ref)-1]) {
			ref += "1"
		} else if i >= 0 {
			ref = ref[:i]
		}
	}
	u, ok := normalize(base, ref)
	if !ok {
		return "", false
	}
	if data != "" {
		q := u.Query()
		for _, kv := range reJSPair.FindAllStringSubmatch(data, 30) {
			v := kv[2] + kv[3] + kv[4]
			if kv[4] != "" && !isNumeric(kv[4]) && kv[4] != "true" && kv[4] != "false" {
				continue // a variable: its value is not known here
			}
			if q.Get(kv[1]) == "" {
				q.Set(kv[1], v)
			}
		}
		u.RawQuery = q.Encode()
	}
	return u.String(), true
}

func isPageParam(k string) bool {
	k = strings.ToLower(k)
	for _, p := range pageParams {
		if k == p {
			return true
		}
	}
	return false
}

// isJSONBody reports whether a payload is JSON (or JSONP) by its media
// type or its first byte.
func isJSONBody(mt string, body []byte) bool {
	if strings.Contains(mt, "json") || strings.Contains(mt, "javascript") {
		return true
	}
	b := bytes.TrimSpace(body)
	return len(b) > 0 && (b[0] == '{' || b[0] == '[') && (mt == "" || mt == "text/plain" || mt == "text/html" || mt == "application/octet-stream")
}

// Record fields: keys (lower-cased) that name a record's title and URL in
// the JSON of real CMSs (TRS DOCTITLE/DOCPUBURL, Hanweb vc_title, …).
var (
	titleKeys = []string{"title", "doctitle", "vc_title", "name", "bt", "wzbt", "subject", "infotitle", "showtitle", "fulltitle", "titlename", "docname", "label", "text"}
	urlKeys   = []string{"url", "docpuburl", "puburl", "link", "href", "vc_url", "docurl", "linkurl", "detailurl", "fileurl", "pageurl", "infourl", "wzurl", "jumpurl", "path"}
	pageKeys  = []string{"totalpage", "totalpages", "pagecount", "pages", "countpage", "pagetotal", "totalpagecount"}
	totalKeys = []string{"total", "totalcount", "totalrecord", "recordcount", "totalelements", "totalnum", "count"}
	sizeKeys  = []string{"pagesize", "size", "rows", "perpage", "limit"}
)

// jsonList reads a JSON (or JSONP) list answer fetched from api: its
// records as links (title and URL), and the URLs of the API's other
// pages. ok is false when the payload is no JSON.
func jsonList(api *url.URL, body []byte) (links []Link, pages []string, ok bool) {
	b := bytes.TrimSpace(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")))
	if m := reJSONP.FindSubmatch(b); m != nil && len(b) > 0 && b[0] != '{' && b[0] != '[' {
		b = m[1]
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, nil, false
	}
	seen := map[string]bool{}
	walkJSON(v, func(obj map[string]any) {
		title, ref := field(obj, titleKeys), field(obj, urlKeys)
		if title == "" || ref == "" {
			return
		}
		u, ok := normalize(api, ref)
		if !ok || seen[u.String()] {
			return
		}
		seen[u.String()] = true
		links = append(links, Link{URL: u.String(), Text: title})
	})
	return links, apiPages(api, v), true
}

// walkJSON calls fn for every object in v, depth first.
func walkJSON(v any, fn func(map[string]any)) {
	switch x := v.(type) {
	case map[string]any:
		fn(x)
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys) // a stable order of links
		for _, k := range keys {
			walkJSON(x[k], fn)
		}
	case []any:
		for _, e := range x {
			walkJSON(e, fn)
		}
	}
}

// field returns the first string value of obj under one of keys
// (compared case-insensitively), "" when none.
func field(obj map[string]any, keys []string) string {
	for _, want := range keys {
		for k, v := range obj {
			if strings.EqualFold(k, want) {
				if s, ok := v.(string); ok && strings.TrimSpace(s) != "" {
					return strings.TrimSpace(s)
				}
			}
		}
	}
	return ""
}

// number returns the first numeric value (or numeric string) under one of
// keys anywhere in v, 0 when none.
func number(v any, keys []string) int {
	n := 0
	walkJSON(v, func(obj map[string]any) {
		if n > 0 {
			return
		}
		for _, want := range keys {
			for k, x := range obj {
				if !strings.EqualFold(k, want) {
					continue
				}
				var s string
				switch y := x.(type) {
				case json.Number:
					s = y.String()
				case string:
					s = y
				}
				if i, err := strconv.Atoi(s); err == nil && i > 0 {
					n = i
					return
				}
			}
		}
	})
	return n
}

// apiPages returns the other pages of a paged JSON API answered by v when
// api is its first page: its page parameter set to 2…total (or 1…total-1
// when it counts from 0).
func apiPages(api *url.URL, v any) []string {
	q := api.Query()
	param, first := "", 0
	for k := range q {
		if isPageParam(k) {
			if n, err := strconv.Atoi(q.Get(k)); err == nil && (n == 0 || n == 1) {
				param, first = k, n
			}
		}
	}
	if param == "" {
		return nil
	}
	total := number(v, pageKeys)
	if total == 0 {
		if recs, size := number(v, totalKeys), number(v, sizeKeys); recs > 0 && size > 0 {
			total = (recs + size - 1) / size
		}
	}
	var out []string
	for i := 1; i < total && i < maxAPIPages; i++ {
		q.Set(param, strconv.Itoa(first+i))
		u := *api
		u.RawQuery = q.Encode()
		out = append(out, u.String())
	}
	return out
}
