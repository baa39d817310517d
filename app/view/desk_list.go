package view

import (
	"strings"

	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// patchList brings #annlist up to date with d.listItems, touching only
// the items that changed: a relabel rewrites one <li>, an added or
// deleted annotation inserts or removes one. go-app's Raw replaced the
// whole list (200 items, or 5,000 with "Show all") on any change: parsed
// and laid out again, a third of a relabel's time on a 5,000-span
// document. Before go-app has mounted the list (the first render), the
// deferred call after that render fills it.
func (d *Desk) patchList() {
	el := app.Window().GetElementByID("annlist")
	if !el.Truthy() {
		return
	}
	ol := el.Get("firstElementChild")
	if d.listEl == nil || !d.listEl.Equal(el) || !ol.Truthy() {
		// A new list element (first render, another document): fill it.
		d.fillList(el)
		return
	}
	old, cur := d.listDOM, d.listItems
	pre := 0
	for pre < len(old) && pre < len(cur) && old[pre] == cur[pre] {
		pre++
	}
	suf := 0
	for suf < len(old)-pre && suf < len(cur)-pre && old[len(old)-1-suf] == cur[len(cur)-1-suf] {
		suf++
	}
	gone, added := old[pre:len(old)-suf], cur[pre:len(cur)-suf]
	if len(gone) == 0 && len(added) == 0 {
		return
	}
	kids := ol.Get("children")
	if kids.Length() != len(old) || len(gone)+len(added) > 64 {
		// Someone else changed it, or most of it changed (a filter, a
		// search, "Show all"): one innerHTML is cheaper than many edits.
		d.fillList(el)
		return
	}
	if len(gone) == len(added) {
		for i := range added {
			if gone[i] != added[i] {
				kids.Index(pre+i).Set("outerHTML", added[i])
			}
		}
	} else {
		for range gone {
			kids.Index(pre).Call("remove")
		}
		html := strings.Join(added, "")
		if html != "" {
			if pre < kids.Length() {
				kids.Index(pre).Call("insertAdjacentHTML", "beforebegin", html)
			} else {
				ol.Call("insertAdjacentHTML", "beforeend", html)
			}
		}
	}
	d.listDOM = append(d.listDOM[:0], cur...)
}

// fillList sets the whole list into el.
func (d *Desk) fillList(el app.Value) {
	el.Set("innerHTML", `<ol class="annlist">`+strings.Join(d.listItems, "")+`</ol>`)
	d.listEl = el
	d.listDOM = append(d.listDOM[:0], d.listItems...)
}
