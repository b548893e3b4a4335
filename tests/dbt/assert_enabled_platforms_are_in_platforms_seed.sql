-- Every enabled ad platform (macro enabled_ad_platforms over var('argo__ad_platforms'))
-- has its row in the `platforms` seed. Returns the platforms that have none.

{%- set platforms = argo.enabled_ad_platforms() %}

with

enabled_platforms as (

    {% for platform in platforms -%}
        select {{ dbt.string_literal(platform) }} as platform
        {%- if not loop.last %}
            union all
        {%- endif %}
    {% else -%}
        select cast(null as {{ dbt.type_string() }}) as platform
        where 1 = 0
    {%- endfor %}

),

known_platforms as (

    select * from {{ ref('platforms') }}

)

select enabled_platforms.platform
from enabled_platforms
left join known_platforms
    on enabled_platforms.platform = known_platforms.platform
where known_platforms.platform is null
