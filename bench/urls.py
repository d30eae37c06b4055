"""The portal's URLconf plus one bare page, for the benchmark's floor mode (bench.run --floor).

`bench/bare/` answers a tiny response through the full middleware: the session and the
user are read (as on every staff page), nothing is rendered and no other query runs."""

from django.http import HttpResponse
from django.urls import path

from gigmarket.urls import urlpatterns as portal_urlpatterns


def bare(request):
    return HttpResponse("ok" if request.user.is_authenticated else "anonymous", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare, name="bench_bare"), *portal_urlpatterns]
