from django.urls import path

from decisions import views

app_name = "decisions"

urlpatterns = [
    path("decisions/", views.decision_list, name="list"),
    path("decisions/new/", views.DecisionCreateView.as_view(), name="new"),
    path("decisions/export.json", views.decisions_export_all, name="export-all"),
    path("decisions/<int:pk>/", views.decision_detail, name="detail"),
    path("decisions/<int:pk>/edit/", views.decision_edit, name="edit"),
    path("decisions/<int:pk>/delete/", views.decision_delete, name="delete"),
    path("decisions/<int:pk>/share/", views.decision_share, name="share"),
    path("decisions/<int:pk>/reevaluate/", views.decision_reevaluate, name="reevaluate"),
    path("decisions/<int:pk>/reviewed/", views.decision_mark_reviewed, name="reviewed"),
    path("decisions/<int:pk>/export.<str:fmt>", views.decision_export, name="export"),
    path("d/<str:token>/", views.decision_shared, name="shared"),
]
