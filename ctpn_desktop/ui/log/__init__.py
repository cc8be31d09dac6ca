"""The decision log screens: quick entry, entry detail and corrections, filters, evaluation panes."""
