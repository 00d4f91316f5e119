"""URLs of plan/fact and the wall, the report builder, dashboards, channels and the public rating page."""

from kontora.analytics.views import builder, builder_rating, channels, dashboards, plans

urlpatterns = [
    *plans.urlpatterns,
    *builder.urlpatterns,
    *dashboards.urlpatterns,
    *channels.urlpatterns,
    *builder_rating.urlpatterns,
]
