package route

import "github.com/folio/folio"

// Crops returns the page regions the policy's vision links may be sent
// (folio.Router), by element id: every table when the table chain holds a
// vision specialist, and every element on a page without a text layer
// when a chain of another type does (images carry their own pixels and
// furniture is never sent). Regions are drawn at the finest resolution a
// vision link needs. Without a vision link there are none, and nothing is
// drawn.
func (r *Router) Crops(doc *folio.Document) map[string]folio.Drawing {
	tables, noText, dpi := false, false, 0.0
	for typ, chain := range r.policy.Routes {
		if typ == folio.ImageType {
			continue
		}
		for _, l := range chain {
			d := 0.0
			if s, ok := r.specialists[l.Specialist]; ok {
				d = imageDPI(s)
			}
			if d <= 0 {
				continue
			}
			dpi = max(dpi, d)
			if typ == folio.TableType {
				tables = true
			} else {
				noText = true
			}
		}
	}
	if !tables && !noText {
		return nil
	}
	textless := map[int]bool{}
	for _, p := range doc.Pages {
		if !p.TextLayer {
			textless[p.Page] = true
		}
	}
	crops := map[string]folio.Drawing{}
	for _, els := range [][]folio.Element{doc.Elements, doc.Candidates} {
		for _, el := range els {
			if el.Layer == folio.LayerFurniture || el.Type == folio.ImageType || el.Box.Area() == 0 {
				continue
			}
			if (tables && el.Type == folio.TableType) || (noText && textless[el.Page]) {
				crops[el.ID] = folio.Drawing{PageBox: folio.PageBox{Page: el.Page, Box: el.Box}, DPI: dpi}
			}
		}
	}
	return crops
}
