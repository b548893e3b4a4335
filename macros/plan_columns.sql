{#
    The AE's plan is read from the seeds in seeds/plan/ (every cell text) or, with
    var('google_sheets__enabled'), from the Google Sheet the `google_sheets` dlt source
    lands (typed). `plan_text`: a cell as trimmed text, an empty cell null. `plan_date`
    and `plan_decimal`: a cell as a date or a decimal, null when empty or unreadable (the
    staging models' not_null tests then name the row).
    `plan_sheet_row`: the sheet's row number, null for the seeds.
#}
{% macro plan_text(column) -%}
    nullif(trim(cast({{ column }} as {{ dbt.type_string() }})), '')
{%- endmacro %}

{% macro plan_date(column) -%}
    {{ dbt.safe_cast(argo.plan_text(column), 'date') }}
{%- endmacro %}

{% macro plan_decimal(column) -%}
    {{ dbt.safe_cast(argo.plan_text(column), dbt.type_numeric()) }}
{%- endmacro %}

{% macro plan_sheet_row() -%}
    {%- if var('google_sheets__enabled', false) -%}
        cast(sheet_row as {{ dbt.type_int() }}) as sheet_row
    {%- else -%}
        cast(null as {{ dbt.type_int() }}) as sheet_row
    {%- endif -%}
{%- endmacro %}

{#
    The `advertiser_id` and `advertiser_name` columns of a mart, from `relation` (an alias
    of int_accounts_assigned, or of a mart that has them) left-joined to its rows: a row
    whose account or app the plan maps to no advertiser, or that found no row to join,
    gets `unassigned` / `Unassigned`, so no row is dropped and none is null.
#}
{% macro advertiser_columns(relation) -%}
    coalesce({{ relation }}.advertiser_id, '{{ argo.unassigned_advertiser_id() }}')
            as advertiser_id,
        coalesce({{ relation }}.advertiser_name, '{{ argo.unassigned_advertiser_name() }}')
            as advertiser_name
{%- endmacro %}

{% macro unassigned_advertiser_id() -%}
    {{ return('unassigned') }}
{%- endmacro %}

{% macro unassigned_advertiser_name() -%}
    {{ return('Unassigned') }}
{%- endmacro %}
