{#
    `union all` of the models in `relations`, each selecting `columns` (a list of
    {'name': ..., 'data_type': ...}) in that order and cast to that type, so every model
    lands in one column set. A `none` in `relations` is skipped: the caller names each
    model literally and puts its switch around it, so a switched-off platform's model is
    never referenced:

        {{ argo.union_models(columns, [
            ref('int_meta_ads__campaigns_mapped') if var('meta_ads__enabled') else none,
            ref('int_google_ads__campaigns_mapped') if var('google_ads__enabled') else none,
        ]) }}

    With no model left it is an empty relation of the same columns, so downstream models
    and tests still build.
#}
{% macro union_models(columns, relations) -%}
    {%- set relations = relations | reject('none') | list -%}
    {%- if relations | length == 0 %}
    select
        {%- for column in columns %}
        cast(null as {{ column.data_type }}) as {{ column.name }}{{ "," if not loop.last }}
        {%- endfor %}
    where 1 = 0
    {%- else -%}
        {%- for relation in relations %}
    select
        {%- for column in columns %}
        cast({{ column.name }} as {{ column.data_type }}) as {{ column.name }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ relation }}
            {%- if not loop.last %}
    union all
            {%- endif %}
        {%- endfor %}
    {%- endif %}
{%- endmacro %}
