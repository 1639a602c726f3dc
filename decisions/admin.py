from django.contrib import admin

from decisions.models import Decision, DecisionSnapshot


class SnapshotInline(admin.TabularInline):
    model = DecisionSnapshot
    extra = 0
    fields = ["created_at", "recommended", "fingerprint"]
    readonly_fields = fields
    can_delete = False


# Only superusers reach the Django admin (see portal/urls.py); editors never see decisions.
@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "chosen_framework", "status", "created_at"]
    list_filter = ["status", "chosen_framework"]
    search_fields = ["title", "owner__email"]
    raw_id_fields = ["owner"]
    inlines = [SnapshotInline]
