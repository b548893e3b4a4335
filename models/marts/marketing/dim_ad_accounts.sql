with

ad_accounts as (

    select * from {{ ref('int_ad_accounts_unioned') }}

),

platforms as (

    select * from {{ ref('platforms') }}

),

advertisers as (

    select * from {{ ref('int_accounts_assigned') }}

),

final as (

    select
        ad_accounts.platform,
        ad_accounts.account_id,
        ad_accounts.account_name,
        platforms.platform_name,
        platforms.channel,
        ad_accounts.currency_code,
        ad_accounts.timezone_name,
        -- Its date_day is a day of var('reporting_timezone') only if it reports there.
        coalesce(
            ad_accounts.timezone_name = '{{ var("reporting_timezone") }}', false
        ) as is_in_reporting_timezone,
        ad_accounts.account_status,
        ad_accounts.is_active,
        ad_accounts.source_relation,
        {{ argo.advertiser_columns('advertisers') }}

    from ad_accounts
    left join platforms
        on ad_accounts.platform = platforms.platform
    left join advertisers
        on
            ad_accounts.platform = advertisers.platform
            and ad_accounts.account_id = advertisers.account_id

)

select * from final
