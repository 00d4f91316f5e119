"""CRM pages, one module per screen family; each module exports its `urlpatterns`."""
