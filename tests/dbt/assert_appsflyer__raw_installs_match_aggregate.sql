{{ config(enabled=var('appsflyer__enabled', true), severity='warn') }}

-- AppsFlyer's raw installs report and its aggregate partners report count the same
-- attributed installs per app, install day and media source (the aggregate cohorts by
-- install date). A difference means one of the two was pulled before the day settled or
-- AppsFlyer restated one side; re-pull the days listed (`argo ingest appsflyer
-- --start-date <day>`).

with

raw_installs as (

    select
        app_id,
        install_date as date_day,
        lower(media_source) as media_source,
        count(*) as installs

    from {{ ref('stg_appsflyer__installs') }}
    group by 1, 2, 3

),

aggregate_installs as (

    select
        app_id,
        date_day,
        lower(media_source) as media_source,
        sum(installs) as installs

    from {{ ref('stg_appsflyer__partners_daily') }}
    group by 1, 2, 3

),

compared as (

    select
        coalesce(raw_installs.app_id, aggregate_installs.app_id) as app_id,
        coalesce(raw_installs.date_day, aggregate_installs.date_day) as date_day,
        coalesce(raw_installs.media_source, aggregate_installs.media_source) as media_source,
        coalesce(raw_installs.installs, 0) as raw_installs,
        coalesce(aggregate_installs.installs, 0) as aggregate_installs

    from raw_installs
    full outer join aggregate_installs
        on
            raw_installs.app_id = aggregate_installs.app_id
            and raw_installs.date_day = aggregate_installs.date_day
            and raw_installs.media_source = aggregate_installs.media_source

)

select * from compared
where raw_installs != aggregate_installs
