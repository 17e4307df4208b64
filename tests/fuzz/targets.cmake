# The fuzz targets, one line each: every parser of outside bytes has one.
