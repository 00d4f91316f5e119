"""Task and project pages: each module declares its `urlpatterns`; views parse, call one service, render."""
