from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from kontora.accounts import views, views_roles

app_name = "accounts"

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="accounts/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_form.html", success_url=reverse_lazy("accounts:password_change_done")
        ),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_message.html"),
        name="password_change_done",
    ),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(
            template_name="accounts/password_reset.html",
            email_template_name="accounts/password_reset_email.txt",
            subject_template_name="accounts/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_message.html"),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_form.html", success_url=reverse_lazy("accounts:password_reset_complete")
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_message.html"),
        name="password_reset_complete",
    ),
    path("company/", views.org_chart, name="org_chart"),
    path("company/people/", views.people, name="people"),
    path("company/people/<int:pk>/", views.person, name="person"),
    path("company/people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("settings/", views.settings_home, name="settings"),
    path("settings/people/add/", views.user_add, name="user_add"),
    path("settings/departments/add/", views.department_edit, name="department_add"),
    path("settings/departments/<int:pk>/", views.department_edit, name="department_edit"),
    path("settings/departments/<int:pk>/delete/", views.department_delete, name="department_delete"),
    *views_roles.urlpatterns,
]
