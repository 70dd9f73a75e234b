"""The store's schema revisions, oldest first: rev_0001_initial.py, then one file per change."""
