{{ config(enabled=var('naver_searchad__enabled', true)) }}

with

keywords as (

    select * from {{ ref('stg_naver_searchad__keywords') }}

),

ad_groups as (

    select * from {{ ref('stg_naver_searchad__ad_groups') }}

),

-- Naver has no match types: a power-link keyword also serves close variants Naver
-- chooses (확장검색), so match_type is null. The campaign comes from the keyword, else
-- from its ad group.
mapped as (

    select
        'naver_searchad' as platform,
        keywords.source_relation,
        keywords.account_id,
        coalesce(keywords.campaign_id, ad_groups.campaign_id) as campaign_id,
        keywords.ad_group_id,
        keywords.keyword_id,
        keywords.keyword_text,
        cast(null as {{ dbt.type_string() }}) as match_type,
        keywords.status,
        keywords.is_active

    from keywords
    left join ad_groups
        on
            keywords.account_id = ad_groups.account_id
            and keywords.ad_group_id = ad_groups.ad_group_id

)

select * from mapped
