with

ad_accounts as (

    select * from {{ ref('int_ad_accounts_unioned') }}

),

tracker_installs as (

    select * from {{ ref('int_tracker_installs_daily') }}

),

tracker_events as (

    select * from {{ ref('int_tracker_events_daily') }}

),

plan_accounts as (

    select * from {{ ref('stg_google_sheets__ad_accounts') }}

),

advertisers as (

    select * from {{ ref('stg_google_sheets__advertisers') }}

),

-- Every app a tracker reported installs or events of; the tracker is its platform.
tracker_apps as (

    select distinct
        tracker as platform,
        app_id as account_id

    from (
        select
            tracker,
            app_id
        from tracker_installs

        union all

        select
            tracker,
            app_id
        from tracker_events
    ) as reported
    where app_id is not null

),

accounts as (

    select distinct
        platform,
        account_id,
        false as is_tracker_app

    from ad_accounts

    union all

    select
        platform,
        account_id,
        true as is_tracker_app

    from tracker_apps

),

final as (

    select
        accounts.platform,
        accounts.account_id,
        accounts.is_tracker_app,
        {{ argo.advertiser_columns('advertisers') }},
        advertisers.advertiser_id is not null as is_assigned

    from accounts
    left join plan_accounts
        on
            accounts.platform = plan_accounts.platform
            and accounts.account_id = plan_accounts.account_id
    left join advertisers
        on plan_accounts.advertiser_id = advertisers.advertiser_id

)

select * from final
