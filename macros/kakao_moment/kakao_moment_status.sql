{#
    A Kakao Moment campaign's, ad group's or creative's `config` (ON, OFF, DEL: the
    advertiser's switch), trimmed and upper-cased, in ARGO's status vocabulary: ACTIVE,
    PAUSED, DELETED; an unknown label is null. (Ad accounts have their own vocabulary:
    stg_kakao_moment__ad_accounts.)
#}
{% macro kakao_moment_status(config) -%}
    case upper(trim({{ config }}))
        when 'ON' then 'ACTIVE'
        when 'OFF' then 'PAUSED'
        when 'DEL' then 'DELETED'
    end
{%- endmacro %}

{#
    The status columns of a Kakao Moment campaign, ad group or creative, from its
    `config` (the advertiser's switch) and `systemConfig` (Kakao's own stop), both labels
    trimmed and upper-cased:
    - status: ARGO's status (kakao_moment_status);
    - config, system_config: Kakao's two labels;
    - effective_status: the label that applies, Kakao's when it stops an object the
      advertiser switched ON, else the advertiser's;
    - is_active: ON and not stopped by Kakao (a missing systemConfig stops nothing).
#}
{% macro kakao_moment_status_columns(config='config', system_config='system_config') -%}
    {%- set config_label = 'upper(trim(' ~ config ~ '))' -%}
    {%- set system_label = 'upper(trim(' ~ system_config ~ '))' -%}
    cast({{ argo.kakao_moment_status(config) }} as {{ dbt.type_string() }}) as status,
        cast({{ config_label }} as {{ dbt.type_string() }}) as config,
        cast({{ system_label }} as {{ dbt.type_string() }}) as system_config,
        cast(
            case
                when {{ config_label }} = 'ON' and {{ system_label }} != 'ON'
                    then {{ system_label }}
                else {{ config_label }}
            end
            as {{ dbt.type_string() }}
        ) as effective_status,
        coalesce(
            {{ config_label }} = 'ON' and coalesce({{ system_label }}, 'ON') = 'ON',
            false
        ) as is_active
{%- endmacro %}
