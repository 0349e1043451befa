"""The touch application (Kivy). The only package that imports Kivy; screens call the packages
below it and never run SQL, HTTP or ReportLab themselves."""
