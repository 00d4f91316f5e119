"""The public page where a customer rates the work on a won deal, reached by a signed link from the e-mail."""

from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.views.decorators.csrf import csrf_protect

from kontora.analytics import services
from kontora.analytics.builder.forms import RatingForm


@csrf_protect
def rate_page(request, token: str):
    rating_request = services.rating_request_for(token)
    if rating_request is None:
        raise Http404
    form = RatingForm(request.POST or None, initial={"rating": rating_request.rating or 5,
                                                     "comment": rating_request.comment})  # fmt: skip
    thanked = False
    if request.method == "POST" and form.is_valid():
        services.rate(rating_request, rating=form.cleaned_data["rating"], comment=form.cleaned_data["comment"])
        thanked = True
    context = {"form": form, "thanked": thanked, "deal_title": rating_request.deal.title}
    return render(request, "analytics/builder/rate.html", context)


urlpatterns = [path("rate/<str:token>/", rate_page, name="rate")]
