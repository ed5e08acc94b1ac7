package report

// This file addresses the model's rows and cells by their JSON keys, as
// the template description names them.

// Slot returns the field of a holding the Table 2 row key, or nil when key
// is not a Table 2 row.
func (a *Active) Slot(key string) **ActiveRow {
	switch key {
	case "regulations":
		return &a.Regulations
	case "normative_documents":
		return &a.NormativeDocuments
	case "licensing":
		return &a.Licensing
	case "other_services":
		return &a.OtherServices
	case "penalty":
		return &a.Penalty
	case "coercion":
		return &a.Coercion
	case "fees":
		return &a.Fees
	case "procurement":
		return &a.Procurement
	}
	return nil
}

// Row returns the Table 2 row key (nil when absent or not a row).
func (a *Active) Row(key string) *ActiveRow {
	if a == nil {
		return nil
	}
	if s := a.Slot(key); s != nil {
		return *s
	}
	return nil
}

// Field returns the field of r holding the Table 2 column col, or nil when
// col is not a Table 2 column.
func (r *ActiveRow) Field(col string) **Num {
	switch col {
	case "issued":
		return &r.Issued
	case "repealed":
		return &r.Repealed
	case "in_force":
		return &r.InForce
	case "decisions":
		return &r.Decisions
	case "amount_wan_yuan":
		return &r.AmountWanYuan
	case "new_made":
		return &r.NewMade
	case "new_published":
		return &r.NewPublished
	case "total_published":
		return &r.TotalPublished
	case "prev_items":
		return &r.PrevItems
	case "change":
		return &r.Change
	case "items":
		return &r.Items
	case "amount":
		return &r.Amount
	}
	return nil
}

// Cell returns the cell of column col (nil when absent or not a column).
func (r *ActiveRow) Cell(col string) *Num {
	if r == nil {
		return nil
	}
	if f := r.Field(col); f != nil {
		return *f
	}
	return nil
}

// Group returns the Table 4 group key (nil when absent or not a group).
func (rl *ReviewLitigation) Group(key string) *Group {
	if rl == nil {
		return nil
	}
	switch key {
	case "review":
		return rl.Review
	case "litigation_direct":
		return rl.LitigationDirect
	case "litigation_after_review":
		return rl.LitigationAfterReview
	}
	return nil
}

// SetGroup sets the Table 4 group key; it reports false for an unknown key.
func (rl *ReviewLitigation) SetGroup(key string, g *Group) bool {
	switch key {
	case "review":
		rl.Review = g
	case "litigation_direct":
		rl.LitigationDirect = g
	case "litigation_after_review":
		rl.LitigationAfterReview = g
	default:
		return false
	}
	return true
}

// Cells returns the five cells of g in GroupColumns order.
func (g *Group) Cells() [5]*float64 {
	if g == nil {
		return [5]*float64{}
	}
	return [5]*float64{g.Upheld, g.Corrected, g.Other, g.Pending, g.Total}
}

// Cell returns the cell of column col (nil when blank or not a column).
func (g *Group) Cell(col string) *float64 {
	for i, c := range GroupColumns {
		if c == col {
			return g.Cells()[i]
		}
	}
	return nil
}
