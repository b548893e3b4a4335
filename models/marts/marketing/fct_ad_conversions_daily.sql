with

conversions as (

    select * from {{ ref('int_ad_conversions_unioned') }}

),

final as (

    select
        date_day,
        platform,
        account_id,
        campaign_id,
        ad_group_id,
        ad_id,
        conversion_type,
        conversion_name,
        is_counted,
        currency_code,
        conversions,
        conversions_value,
        source_relation

    from conversions

)

select * from final
