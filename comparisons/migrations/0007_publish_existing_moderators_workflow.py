from django.db import migrations
from django.utils import timezone

SNIPPETS = ["framework", "aspect", "scenario", "question", "option"]
CHILDREN = ["rating", "optionweight"]
ACTIONS = ["add", "change", "delete", "view"]
WORKFLOW_NAME = "Matrix approval"
TASK_NAME = "Moderators approve matrix changes"


def mark_existing_published(apps, schema_editor):
    # The new columns default to live and without unpublished changes; what is left
    # is to say which revision is the live one and since when.
    now = timezone.now()
    for name in SNIPPETS:
        model = apps.get_model("comparisons", name)
        for obj in model.objects.all().only("pk", "latest_revision"):
            model.objects.filter(pk=obj.pk).update(
                live=True,
                has_unpublished_changes=False,
                live_revision=obj.latest_revision_id,
                first_published_at=now,
                last_published_at=now,
            )


def _permission(apps, codename, model_name):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label="comparisons", model=model_name)
    # Wagtail creates publish and lock permissions after migrations; make them now to grant them.
    verb = codename.split("_", 1)[0]
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename=codename, defaults={"name": f"Can {verb} {model_name}"}
    )
    return permission


def groups_and_workflow(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")

    matrix = [
        _permission(apps, f"{action}_{model}", model) for model in SNIPPETS + CHILDREN for action in ACTIONS
    ]
    publish = [_permission(apps, f"publish_{model}", model) for model in SNIPPETS]
    locking = [
        _permission(apps, f"{verb}_{model}", model) for model in SNIPPETS for verb in ("lock", "unlock")
    ]
    access_admin = Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")

    # Editors published every save before drafts existed: they keep the right to publish,
    # which the approval workflow takes over once an admin switches it on.
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(*publish)

    moderators, _ = Group.objects.get_or_create(name="Moderators")
    moderators.permissions.add(access_admin, *matrix, *publish, *locking)

    task_type, _ = ContentType.objects.get_or_create(app_label="wagtailcore", model="groupapprovaltask")
    task = GroupApprovalTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=TASK_NAME, content_type=task_type, active=True)
    task.groups.add(moderators)
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    # Not assigned to any snippet type (no WorkflowContentType): off until an admin assigns it.


class Migration(migrations.Migration):
    dependencies = [
        ("comparisons", "0006_drafts"),
        ("portal", "0003_editors_permissions"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [
        migrations.RunPython(mark_existing_published, migrations.RunPython.noop),
        migrations.RunPython(groups_and_workflow, migrations.RunPython.noop),
    ]
