# RFM scores move to a narrow table of their own (models.CustomerRFM): the daily recompute
# rewrites them across much of a shop, and rewriting the wide customer row, with each of
# its indexes, cost ~15 times as much per customer (bench/stages.py). Derived data without
# foreign key constraints: their checks at COMMIT cost a fifth of a recompute.

import django.db.models.deletion
from django.db import migrations, models


def copy_scores(apps, schema_editor):
    Customer = apps.get_model("customers", "Customer")
    CustomerRFM = apps.get_model("customers", "CustomerRFM")
    scored = Customer.objects.filter(recency_score__isnull=False).exclude(rfm_segment="")
    CustomerRFM.objects.bulk_create(
        (
            CustomerRFM(
                customer_id=pk, installation_id=installation_id, recency=recency, frequency=frequency,
                monetary=monetary, segment=segment,
            )
            for pk, installation_id, recency, frequency, monetary, segment in scored.values_list(
                "pk", "installation_id", "recency_score", "frequency_score", "monetary_score", "rfm_segment"
            ).iterator(chunk_size=5000)
        ),
        batch_size=5000,
    )


def copy_scores_back(apps, schema_editor):
    Customer = apps.get_model("customers", "Customer")
    CustomerRFM = apps.get_model("customers", "CustomerRFM")
    for scores in CustomerRFM.objects.iterator(chunk_size=5000):
        Customer.objects.filter(pk=scores.customer_id).update(
            recency_score=scores.recency, frequency_score=scores.frequency, monetary_score=scores.monetary,
            rfm_segment=scores.segment,
        )


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0007_fewer_indexes'),
        ('saleor_app', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='CustomerRFM',
            fields=[
                ('customer', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='rfm', serialize=False, to='customers.customer', db_constraint=False)),
                ('recency', models.PositiveSmallIntegerField()),
                ('frequency', models.PositiveSmallIntegerField()),
                ('monetary', models.PositiveSmallIntegerField()),
                ('segment', models.CharField(choices=[('champions', 'Champions'), ('loyal', 'Loyal'), ('promising', 'Promising'), ('need_attention', 'Need attention'), ('about_to_sleep', 'About to sleep'), ('at_risk', 'At risk'), ('cant_lose', "Can't lose them"), ('hibernating', 'Hibernating'), ('lost', 'Lost')], max_length=16)),
                ('installation', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='saleor_app.installation')),
            ],
            options={
                'verbose_name': 'customer RFM scores',
                'verbose_name_plural': 'customer RFM scores',
                'indexes': [models.Index(fields=['installation', 'segment'], name='rfm_segment')],
            },
        ),
        migrations.RunPython(copy_scores, copy_scores_back),
        migrations.RemoveIndex(
            model_name='customer',
            name='customer_rfm_segment',
        ),
        migrations.RemoveField(
            model_name='customer',
            name='frequency_score',
        ),
        migrations.RemoveField(
            model_name='customer',
            name='monetary_score',
        ),
        migrations.RemoveField(
            model_name='customer',
            name='recency_score',
        ),
        migrations.RemoveField(
            model_name='customer',
            name='rfm_segment',
        ),
    ]
