{#
    `union all` of int_<source>__<model_suffix> over the sources whose `<source>__enabled`
    var is true, each selecting `columns` ({'name', 'data_type'}) cast in that order; an
    empty relation of those columns when none is enabled. The trackers' unions use it as
    the ad platforms use union_ad_platforms.
#}
{% macro union_enabled_sources(sources, model_suffix, columns) -%}
    {%- set enabled = [] -%}
    {%- for source_name in sources -%}
        {%- if var(source_name ~ '__enabled', true) -%}
            {%- do enabled.append(source_name) -%}
        {%- endif -%}
    {%- endfor -%}
    {{- argo.union_models(enabled, model_suffix, columns) -}}
{%- endmacro %}


{#
    The `union all` itself: int_<name>__<model_suffix> for each of `names`, each selecting
    `columns` ({'name', 'data_type'}) cast in that order; with no names, an empty
    relation of those columns, so downstream models still build. Shared by
    union_enabled_sources and union_ad_platforms.
#}
{% macro union_models(names, model_suffix, columns) -%}
    {%- if names | length == 0 %}
    select
        {%- for column in columns %}
        cast(null as {{ column.data_type }}) as {{ column.name }}{{ "," if not loop.last }}
        {%- endfor %}
    where 1 = 0
    {%- else -%}
        {%- for name in names %}
    select
        {%- for column in columns %}
        cast({{ column.name }} as {{ column.data_type }}) as {{ column.name }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ ref('int_' ~ name ~ '__' ~ model_suffix) }}
            {%- if not loop.last %}
    union all
            {%- endif %}
        {%- endfor %}
    {%- endif %}
{%- endmacro %}
