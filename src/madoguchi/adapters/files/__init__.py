"""Files in and out: configuration data files, statements, Excel and CSV."""
