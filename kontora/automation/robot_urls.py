from django.urls import path

from kontora.automation.views import robots

urlpatterns = [
    path("deals/", robots.deal_board, name="robots"),
    path("deals/<int:category_id>/", robots.deal_board, name="robots_deals"),
    path("leads/", robots.lead_board, name="robots_leads"),
    path("robots/add/", robots.robot_add, name="robot_add"),
    path("robots/order/", robots.robot_order, name="robot_order"),
    path("robots/<int:pk>/", robots.robot_edit, name="robot_edit"),
    path("robots/<int:pk>/switch/", robots.robot_switch, name="robot_switch"),
    path("robots/<int:pk>/delete/", robots.robot_delete, name="robot_delete"),
    path("triggers/add/", robots.trigger_add, name="trigger_add"),
    path("triggers/<int:pk>/switch/", robots.trigger_switch, name="trigger_switch"),
    path("triggers/<int:pk>/delete/", robots.trigger_delete, name="trigger_delete"),
]
