{#
    A platform's mapping model neither drops nor invents what its staging model reports:
    per `group_by` (by default account and reporting day) both have the same groups and
    the same sum of every measure, and with `compare_row_count` the same number of rows
    (for a mapping that keeps the staging model's grain).

    `measures` lists {name, model, staging, tolerance}: `model` and `staging` are the SQL
    summed on each side (both default to `name`), `tolerance` the difference allowed
    (default 0; doubles summed in another order differ in the last bits). `staging_where`
    keeps the staging rows the mapping is meant to carry. The staging side is read over
    the same days as the model's (argo.loaded_days_predicate: the `where` a day's build
    gives the tests of intermediate models, dbt_project.yml).
    Returns every group that differs or is on one side only, with both sides' figures.
#}
{% test reconciles_with_staging(
    model,
    staging,
    measures,
    staging_where='1 = 1',
    compare_row_count=false,
    group_by=['account_id', 'date_day']
) %}

{%- set positions = range(1, group_by | length + 1) | join(', ') %}

with

model_totals as (

    select
        {%- for column in group_by %}
        {{ column }},
        {%- endfor %}
        count(*) as row_count,
        {%- for measure in measures %}
        sum({{ measure.model or measure.name }}) as {{ measure.name }}{{ "," if not loop.last }}
        {%- endfor %}

    from {{ model }}
    group by {{ positions }}

),

staging_totals as (

    select
        {%- for column in group_by %}
        {{ column }},
        {%- endfor %}
        count(*) as row_count,
        {%- for measure in measures %}
        sum({{ measure.staging or measure.name }}) as {{ measure.name }}{{ "," if not loop.last }}
        {%- endfor %}

    from {{ staging }}
    where {{ staging_where }} and {{ argo.loaded_days_predicate(staging) }}
    group by {{ positions }}

),

compared as (

    select
        {%- for column in group_by %}
        coalesce(model_totals.{{ column }}, staging_totals.{{ column }}) as {{ column }},
        {%- endfor %}
        model_totals.row_count as model_rows,
        staging_totals.row_count as staging_rows,
        {%- for measure in measures %}
        model_totals.{{ measure.name }} as model_{{ measure.name }},
        staging_totals.{{ measure.name }} as staging_{{ measure.name }}{{ "," if not loop.last }}
        {%- endfor %}

    from model_totals
    full outer join staging_totals
        on
            {%- for column in group_by %}
            {{ "and " if not loop.first }}model_totals.{{ column }} = staging_totals.{{ column }}
            {%- endfor %}

)

select *
from compared
where
    model_rows is null
    or staging_rows is null
    {%- if compare_row_count %}
    or model_rows != staging_rows
    {%- endif %}
    {%- for measure in measures %}
    or abs(coalesce(model_{{ measure.name }}, 0) - coalesce(staging_{{ measure.name }}, 0))
    > {{ measure.tolerance or 0 }}
    {%- endfor %}

{% endtest %}
