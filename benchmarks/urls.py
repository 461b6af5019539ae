"""The app's URLs and the benchmark's two floor pages."""

from django.urls import include, path

from . import floors

urlpatterns = [
    path("bench/floor/trivial/", floors.trivial, name="bench_floor_trivial"),
    path("bench/floor/rows/", floors.rows, name="bench_floor_rows"),
    path("", include("config.urls")),
]
