"""Process machinery, not the workflow: worker processes and their lifelines, writers beside the
main process, atomic files, the cache and its plain-data formats, the records of what perfeval
wrote, and where its bundled data lives."""
