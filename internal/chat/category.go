package chat

import (
	"strings"
	"unicode/utf8"
)

// Category is one node of the category tree (처리유형, §4.4).
type Category struct {
	ID       int64  `json:"id"`
	ParentID int64  `json:"parent_id"`
	Depth    int    `json:"depth"`
	Name     string `json:"name"`
	Position int    `json:"position"`
}

// CleanCategoryName trims a category name and checks it.
func CleanCategoryName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > MaxCategoryName || strings.ContainsFunc(name, IsControlOrBidi) {
		return "", Errorf(ErrInvalid, "a category name must be 1 to %d characters on one line", MaxCategoryName)
	}
	return name, nil
}

// ChildDepth is the depth of a new category under a parent of depth
// parentDepth (0 for the top level), or an error below the third level.
func ChildDepth(parentDepth int) (int, error) {
	if parentDepth >= MaxCategoryDepth {
		return 0, Errorf(ErrCategoryTooDeep, "categories have at most %d levels (large, medium, small)", MaxCategoryDepth)
	}
	return parentDepth + 1, nil
}
