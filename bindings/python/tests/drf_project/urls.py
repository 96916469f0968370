from django.urls import path

from . import views

urlpatterns = [
    path("whoami", views.WhoAmI.as_view()),
    path("policy/token", views.PolicyTokenOnly.as_view()),
    path("policy/basic", views.PolicyBasicOnly.as_view()),
    path("policy/admin", views.PolicyAdmin.as_view()),
    path("drf/token", views.DrfToken.as_view()),
    path("drf/basic", views.DrfBasic.as_view()),
    path("mixed", views.Mixed.as_view()),
]
