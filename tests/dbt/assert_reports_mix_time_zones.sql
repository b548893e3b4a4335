{{ config(severity='warn') }}

-- date_day is each account's reporting day in its own time zone. A report that sums
-- accounts of several time zones adds up different 24-hour spans under one date: this
-- warns with every account with delivery outside var('reporting_timezone').

select
    ad_accounts.platform,
    ad_accounts.account_id,
    ad_accounts.timezone_name,
    '{{ var("reporting_timezone") }}' as expected_timezone

from {{ ref('dim_ad_accounts') }} as ad_accounts
where
    not ad_accounts.is_in_reporting_timezone
    and exists (
        select 1 as delivered
        from {{ ref('fct_ad_performance_daily') }} as performance
        where
            performance.platform = ad_accounts.platform
            and performance.account_id = ad_accounts.account_id
    )
