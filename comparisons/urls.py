from django.urls import path

from comparisons import views

app_name = "comparisons"

urlpatterns = [
    path("compare/", views.CompareView.as_view(), name="compare"),
    path("scenarios/", views.ScenariosView.as_view(), name="scenarios"),
    path("chooser/", views.ChooserView.as_view(), name="chooser"),
]
