"""Analysis layer: comparisons, estimators and claim checks built on the measures panel."""
