-- Every cross-platform union reads the mapping model of every enabled platform of
-- var('argo__ad_platforms'), and the keyword unions that of every enabled platform of
-- var('argo__search_ad_platforms'). The unions name their models one by one, so a
-- platform added to the vars but not to a union would be left out of it without a word.
-- Returns each union and the mapping model it does not read.

{%- set unions = {
    'int_ad_accounts_unioned': ['ad_accounts_mapped'],
    'int_campaigns_unioned': ['campaigns_mapped'],
    'int_ad_groups_unioned': ['ad_groups_mapped'],
    'int_ads_unioned': ['ads_mapped'],
    'int_ad_performance_unioned': ['ad_performance_mapped'],
    'int_ad_conversions_unioned': ['ad_conversions_mapped'],
} %}
{%- set search_unions = {
    'int_keywords_unioned': ['keywords_mapped'],
    'int_keyword_performance_unioned': [
        'keyword_performance_mapped', 'keyword_conversions_mapped'
    ],
} %}
{%- set missing = [] %}
{%- if execute %}
    {%- for union_models, platforms in [
        (unions, argo.enabled_ad_platforms()),
        (search_unions, argo.enabled_ad_platforms(var('argo__search_ad_platforms'))),
    ] %}
        {%- for union_model, suffixes in union_models.items() %}
            {%- set union_node = graph.nodes.get('model.' ~ project_name ~ '.' ~ union_model) %}
            {%- set parents = union_node.depends_on.nodes if union_node else [] %}
            {%- for platform in platforms %}
                {%- for suffix in suffixes %}
                    {%- set mapped = 'int_' ~ platform ~ '__' ~ suffix %}
                    {%- if 'model.' ~ project_name ~ '.' ~ mapped not in parents %}
                        {%- do missing.append((union_model, mapped)) %}
                    {%- endif %}
                {%- endfor %}
            {%- endfor %}
        {%- endfor %}
    {%- endfor %}
{%- endif %}

with

unread as (

    {% for union_model, mapped in missing -%}
        select
            {{ dbt.string_literal(union_model) }} as union_model,
            {{ dbt.string_literal(mapped) }} as unread_model
        {%- if not loop.last %}
            union all
        {%- endif %}
    {% else -%}
        select
            cast(null as {{ dbt.type_string() }}) as union_model,
            cast(null as {{ dbt.type_string() }}) as unread_model
        where 1 = 0
    {%- endfor %}

)

select * from unread
