with

keywords as (

    select * from {{ ref('int_keywords_unioned') }}

),

final as (

    select
        platform,
        account_id,
        campaign_id,
        ad_group_id,
        keyword_id,
        keyword_text,
        match_type,
        status,
        is_active,
        source_relation

    from keywords

)

select * from final
