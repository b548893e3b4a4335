{#
    The ad platforms listed in var('argo__ad_platforms') whose `<platform>__enabled` var is
    true, in list order. A listed platform without its `__enabled` var is a compile error.
    The same var switches the platform's models (their config(enabled=...)), so a platform
    is either unioned and built, or neither.
#}
{% macro enabled_ad_platforms() -%}
    {%- set platforms = var('argo__ad_platforms', []) -%}
    {%- if platforms is string -%}
        {%- set platforms = [platforms] -%}
    {%- endif -%}
    {%- set enabled = [] -%}
    {%- for platform in platforms -%}
        {%- if var(platform ~ '__enabled') -%}
            {%- do enabled.append(platform) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(enabled) }}
{%- endmacro %}

{#
    `union all` of int_<platform>__<model_suffix> over the enabled ad platforms (those
    also in `only`, if given), each
    selecting `columns` (a list of {'name': ..., 'data_type': ...}) in that order and
    cast to that type, so every platform lands in one column set. With no platform
    enabled it is an empty relation of the same columns, so downstream models still build.
#}
{% macro union_ad_platforms(model_suffix, columns, only=none) -%}
    {{ return(adapter.dispatch('union_ad_platforms', 'argo')(model_suffix, columns, only)) }}
{%- endmacro %}

{% macro default__union_ad_platforms(model_suffix, columns, only=none) -%}
    {%- set platforms = [] -%}
    {%- for platform in argo.enabled_ad_platforms() -%}
        {%- if only is none or platform in only -%}
            {%- do platforms.append(platform) -%}
        {%- endif -%}
    {%- endfor -%}
    {{- argo.union_models(platforms, model_suffix, columns) -}}
{%- endmacro %}
