package crawler

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/seeds"
)

// Shared portals: many agencies have no site of their own and publish on
// their county or city portal, in a department directory (部门信息公开,
// 信息公开部门目录) among dozens of other departments. On such a page the
// links that name one of the site's seeded agencies go first (list
// priority, crawled for that agency), and the other departments' links go
// last, so one agency's column is reached within the page budget.

// prioOtherAgency is the priority of a directory link naming a department
// that was not seeded: fetched after everything else.
const prioOtherAgency = prioOther + 1

// minDirectory is how many department links make a page a directory.
const minDirectory = 8

var (
	// reDepartment is a link text that names a government body.
	reDepartment = regexp.MustCompile(`^[\p{Han}（）()·]{2,24}(?:局|委员会|委|办公室|办|中心|院|署|厅|站|队|馆|会|处|所|政府|街道|镇|乡)$`)
	// rePlace is the place name an agency's name starts with
	// (湖南省长沙市, 某某县…): its short forms drop it.
	// Its parts hold no place suffix, so 示范县市场监督管理局 is 示范县 +
	// 市场监督管理局, not 示范县市 + 场监督管理局.
	rePlace = regexp.MustCompile(`^(?:[^\x00-\x7f省市县区州盟旗]{1,8}?(?:省|自治区|自治州|市|州|盟|地区))*(?:[^\x00-\x7f省市县区州盟旗]{1,8}?(?:县|区|市|旗))?`)
)

// agencyForms returns the names a link may use for an agency: its full
// name and, without its place prefix, the short form (公安局) and the
// short form with the last place level (县公安局), when at least two
// characters remain.
func agencyForms(name string) []string {
	name = strings.Join(strings.Fields(name), "")
	forms := []string{name}
	place := rePlace.FindString(name)
	short := strings.TrimPrefix(name, place)
	if place != "" && len([]rune(short)) >= 2 {
		forms = append(forms, short)
		if r := []rune(place); len(r) > 0 {
			forms = append(forms, string(r[len(r)-1])+short)
		}
	}
	return forms
}

// maxColumnExtra is how many characters a link text may add to an
// agency's full name and still name the agency (某某县公安局信息公开专栏)
// rather than be a headline about it (某某县公安局召开2024年度工作总结暨
// 表彰大会).
const maxColumnExtra = 8

// namesAgency returns the agency among ags a link text names, or "".
// The full name counts with at most maxColumnExtra characters around it
// (a column of the agency, not a news headline mentioning it); a short
// form must be the whole text (公安局, 县公安局), so 公安局 does not name
// 交通运输局.
func namesAgency(text string, ags []seeds.Agency) string {
	return newAgencyNames(ags).named(text)
}

// agencyNames is the names links may use for a site's agencies
// (agencyForms of each, the full name first), computed once per page.
type agencyNames struct {
	ags   []seeds.Agency
	forms [][]string
}

func newAgencyNames(ags []seeds.Agency) *agencyNames {
	n := &agencyNames{ags: ags, forms: make([][]string, len(ags))}
	for i, ag := range ags {
		n.forms[i] = agencyForms(ag.Name)
	}
	return n
}

// named is namesAgency over the precomputed forms.
func (n *agencyNames) named(text string) string {
	t := strings.Join(strings.Fields(text), "")
	if t == "" {
		return ""
	}
	runes := utf8.RuneCountInString(t)
	for i, forms := range n.forms {
		for j, f := range forms {
			if t == f || (j == 0 && strings.Contains(t, f) && runes-utf8.RuneCountInString(f) <= maxColumnExtra) {
				return n.ags[i].Name
			}
		}
	}
	return ""
}

// preferAgencies re-ranks the items a page led to on a site carrying
// agencies ags: an item whose link names one of them is crawled for it
// at list priority; on a department directory (minDirectory department
// links or more), the departments not seeded go last. Report links keep
// their priority.
func preferAgencies(ags []seeds.Agency, kids []*archive.FrontierItem) {
	depts := 0
	for _, k := range kids {
		if reDepartment.MatchString(strings.Join(strings.Fields(k.Title), "")) {
			depts++
		}
	}
	names := newAgencyNames(ags)
	for _, k := range kids {
		if k.Priority == prioReport {
			continue
		}
		if name := names.named(k.Title); name != "" {
			k.Agency = name
			k.Priority = min(k.Priority, prioList)
			continue
		}
		if depts >= minDirectory && reDepartment.MatchString(strings.Join(strings.Fields(k.Title), "")) {
			k.Priority = prioOtherAgency
		}
	}
}
