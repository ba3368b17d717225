"""The claim status "draft" is gone (#19): no claim ever stayed in it (a claim is built and scrubbed to ready or
held in the same transaction), so building now writes one event from "" straight to ready or held.

Existing rows, converted before the new check constraint is added:

- a claim still in "draft" (none should exist; a crash inside a build could only have rolled back) becomes
  "held": held with no edit, the biller scrubs it again from its page to make it ready;
- the history is mapped to what a build writes now, so that no screen, API answer or report ever meets the old
  code: each build event ("" -> draft) takes the status, note and source of the scrub event that followed it
  (draft -> ready/held), which is then deleted (the two happened in the same instant of the same build; the
  pair reads as one move). A "draft" left anywhere else in the history (a claim that was still in draft) reads
  "held", like the claim itself.

Going back only widens the choices again; the history is not split back into two events.
"""

from django.db import migrations, models


def forwards(apps, schema_editor):
    Claim = apps.get_model("billing", "Claim")
    ClaimEvent = apps.get_model("billing", "ClaimEvent")
    Claim.objects.filter(status="draft").update(status="held")
    builds = {e.claim_id: e for e in ClaimEvent.objects.filter(to_status="draft").order_by("claim_id", "at", "pk")}
    followers = (ClaimEvent.objects.filter(from_status="draft", claim_id__in=list(builds))
                 .order_by("claim_id", "at", "pk"))
    merged: set[int] = set()
    for follower in followers.iterator():
        build = builds.get(follower.claim_id)
        if build is None or build.claim_id in merged:
            continue
        build.to_status, build.note = follower.to_status, follower.note or build.note
        build.save(update_fields=["to_status", "note"])
        follower.delete()
        merged.add(build.claim_id)
    ClaimEvent.objects.filter(to_status="draft").update(to_status="held")
    ClaimEvent.objects.filter(from_status="draft").update(from_status="held")


class Migration(migrations.Migration):

    dependencies = [
        ('billing', '0009_ledger_balances'),
        ('patients', '0010_payer_channels_plans'),
        ('practice', '0004_practicesettings'),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True),
        migrations.RemoveConstraint(
            model_name='claim',
            name='claim_status_known',
        ),
        migrations.AlterField(
            model_name='claim',
            name='status',
            field=models.CharField(choices=[('held', 'Held by the scrubber'), ('ready', 'Ready to send'), ('submitted', 'Sent'), ('accepted', 'Accepted by the payer'), ('rejected', 'Rejected'), ('paid', 'Paid'), ('partly-paid', 'Partly paid'), ('denied', 'Denied'), ('replaced', 'Replaced'), ('voided', 'Voided')], default='held', max_length=12),
        ),
        migrations.AddConstraint(
            model_name='claim',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['held', 'ready', 'submitted', 'accepted', 'rejected', 'paid', 'partly-paid', 'denied', 'replaced', 'voided'])), name='claim_status_known'),
        ),
    ]
