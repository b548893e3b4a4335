{#
    The ad platforms listed in var('argo__ad_platforms') whose `<platform>__enabled` var is
    true, in list order. A listed platform without its `__enabled` var is a compile error.
    The tests use it to check that each enabled platform has its seed row and that every
    union model reads its mapping models; the unions name those models themselves.
#}
{% macro enabled_ad_platforms(platforms=none) -%}
    {%- set platforms = var('argo__ad_platforms', []) if platforms is none else platforms -%}
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
