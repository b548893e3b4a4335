"""ARGO's production footprint on AWS: S3 buckets, Glue databases, an Athena workgroup.

``argo aws bootstrap`` creates what is missing and fixes what drifted; ``argo aws check``
only reads and reports; ``argo aws policy`` prints the least-privilege IAM policy the
pipeline's role needs. Every name comes from :class:`AwsConfig` (environment variables
read by ``profiles.yml`` and the dlt destination alike), so the three agree.

What is created:

* the **lake bucket** (``ARGO_S3_LAKE_BUCKET``): dlt's parquet under ``raw/`` and dbt's
  tables under ``dbt/``; default encryption (SSE-S3), every public access blocked;
* the **query-results bucket** (``ARGO_S3_RESULTS_BUCKET``): Athena's result files and
  dbt's staging; the same protection plus an expiry rule (results are disposable);
* one **Glue database** per dataset (``raw_<source>`` and dlt's ``raw_<source>_staging``
  for each source, ``staging``, ``intermediate``, ``seeds``, and for the marts ``marts``
  (the views readers read), ``marts__blue`` and ``marts__green`` (the tables, built in
  turn) and ``marts__state`` (what each build did)), located in the lake bucket;
* an **Athena workgroup** (``ARGO_ATHENA_WORKGROUP``) on engine version 3 whose result
  location is enforced and whose per-query scan is capped
  (``ARGO_ATHENA_BYTES_SCANNED_CUTOFF``): a runaway query fails instead of billing.

Idempotent: a second run changes nothing and says so.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

#: The dbt schemas (Glue databases) besides the raw datasets: readers read the views of
#: ``marts``; dbt builds the tables into ``marts__blue`` or ``marts__green`` and records
#: its builds in ``marts__state`` (macros/marts_builds.sql).
DBT_SCHEMAS = (
    "staging",
    "intermediate",
    "marts",
    "marts__blue",
    "marts__green",
    "marts__state",
    "seeds",
)
#: Athena's smallest allowed per-query cutoff (10 MB).
MIN_CUTOFF = 10_000_000
DEFAULT_CUTOFF = 10 * 1024**3  # 10 GiB per query
ENGINE = "Athena engine version 3"
EXPIRY_RULE = "argo-expire-query-results"
#: Error codes that mean "the credentials may not do this".
DENIED = {
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "ExpiredToken",
    "ExpiredTokenException",
    "SignatureDoesNotMatch",
}


class AwsError(Exception):
    """An AWS step failed; the message says which, why and what to do."""


@dataclass(frozen=True)
class AwsConfig:
    """Names and limits of ARGO's AWS resources.

    Attributes:
        region: The AWS region (``AWS_REGION`` or ``AWS_DEFAULT_REGION``).
        lake_bucket: S3 bucket of the data lake (``ARGO_S3_LAKE_BUCKET``).
        results_bucket: S3 bucket of Athena's query results (``ARGO_S3_RESULTS_BUCKET``).
        workgroup: Athena workgroup (``ARGO_ATHENA_WORKGROUP``, default ``argo``).
        bytes_scanned_cutoff: Per-query scan limit of the workgroup, bytes
            (``ARGO_ATHENA_BYTES_SCANNED_CUTOFF``, default 10 GiB).
        results_expiry_days: Days before query results are deleted
            (``ARGO_S3_RESULTS_EXPIRY_DAYS``, default 7).
        raw_datasets: The Glue databases dlt lands into (``raw_<source>``).
    """

    region: str
    lake_bucket: str
    results_bucket: str
    workgroup: str = "argo"
    bytes_scanned_cutoff: int = DEFAULT_CUTOFF
    results_expiry_days: int = 7
    raw_datasets: tuple[str, ...] = field(default_factory=tuple)

    @property
    def databases(self) -> tuple[str, ...]:
        """Every Glue database ARGO uses.

        Each raw dataset has a ``_staging`` twin where dlt stages a load before merging it
        (created here, so the pipeline's role needs no ``glue:CreateDatabase``).
        """
        raw = [name for d in self.raw_datasets for name in (d, f"{d}_staging")]
        return (*raw, *DBT_SCHEMAS)

    @property
    def raw_location(self) -> str:
        """Where dlt writes its parquet (the dlt filesystem staging ``bucket_url``)."""
        return f"s3://{self.lake_bucket}/raw"

    @property
    def dbt_location(self) -> str:
        """Where dbt writes its tables (``s3_data_dir`` of the Athena target)."""
        return f"s3://{self.lake_bucket}/dbt"

    @property
    def results_location(self) -> str:
        """Athena's enforced query result location (``s3_staging_dir``)."""
        return f"s3://{self.results_bucket}/athena/"

    def database_location(self, database: str) -> str:
        """The Glue database's ``LocationUri``."""
        base = self.raw_location if database.startswith("raw_") else self.dbt_location
        return f"{base}/{database}/"

    @classmethod
    def from_env(
        cls, raw_datasets: Iterable[str] = (), environ: dict[str, str] | None = None
    ) -> AwsConfig:
        """Reads the configuration from environment variables.

        Raises:
            AwsError: A required variable is missing or a number is not one.
        """
        env = dict(os.environ if environ is None else environ)
        region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or ""
        required = {
            "AWS_REGION": region,
            "ARGO_S3_LAKE_BUCKET": env.get("ARGO_S3_LAKE_BUCKET", ""),
            "ARGO_S3_RESULTS_BUCKET": env.get("ARGO_S3_RESULTS_BUCKET", ""),
        }
        missing = [name for name, value in required.items() if not value.strip()]
        if missing:
            raise AwsError(
                f"missing configuration: {', '.join(missing)}. What to do: export them (see "
                "docs/production.md), e.g. AWS_REGION=ap-northeast-2 "
                "ARGO_S3_LAKE_BUCKET=acme-argo-lake ARGO_S3_RESULTS_BUCKET=acme-argo-results"
            )
        try:
            cutoff = int(env.get("ARGO_ATHENA_BYTES_SCANNED_CUTOFF") or DEFAULT_CUTOFF)
            expiry = int(env.get("ARGO_S3_RESULTS_EXPIRY_DAYS") or 7)
        except ValueError as exc:
            raise AwsError(
                f"ARGO_ATHENA_BYTES_SCANNED_CUTOFF and ARGO_S3_RESULTS_EXPIRY_DAYS must be "
                f"whole numbers ({exc})"
            ) from None
        if cutoff < MIN_CUTOFF or expiry < 1:
            raise AwsError(
                f"ARGO_ATHENA_BYTES_SCANNED_CUTOFF must be at least {MIN_CUTOFF} (Athena's "
                "minimum, 10 MB) and ARGO_S3_RESULTS_EXPIRY_DAYS at least 1"
            )
        return cls(
            region=region.strip(),
            lake_bucket=required["ARGO_S3_LAKE_BUCKET"].strip(),
            results_bucket=required["ARGO_S3_RESULTS_BUCKET"].strip(),
            workgroup=(env.get("ARGO_ATHENA_WORKGROUP") or "argo").strip(),
            bytes_scanned_cutoff=cutoff,
            results_expiry_days=expiry,
            raw_datasets=tuple(sorted(set(raw_datasets))),
        )


@dataclass
class Step:
    """One resource's outcome: ``created``, ``updated``, ``ok`` or ``problem``."""

    resource: str
    outcome: str
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.outcome:<8} {self.resource}" + (f": {self.detail}" if self.detail else "")


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _explain(action: str, resource: str, exc: Exception) -> AwsError:
    """A clear error for a failed AWS call."""
    if isinstance(exc, NoCredentialsError):
        return AwsError(
            f"{action} {resource}: no AWS credentials. What to do: configure them (an "
            "instance or CI role, AWS_PROFILE, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)"
        )
    if isinstance(exc, ClientError):
        code = _code(exc)
        message = exc.response.get("Error", {}).get("Message", "")
        if code in DENIED:
            return AwsError(
                f"{action} {resource}: permission denied ({code}: {message}). What to do: "
                "grant the role the statements `argo aws policy` prints, or run bootstrap "
                "once with an administrator role"
            )
        if code in ("IllegalLocationConstraintException", "AuthorizationHeaderMalformed"):
            return AwsError(
                f"{action} {resource}: wrong region ({code}: {message}). What to do: set "
                "AWS_REGION to the region the bucket is in, or choose another bucket name"
            )
        if code == "BucketAlreadyExists":
            return AwsError(
                f"{action} {resource}: the name belongs to another AWS account (S3 bucket "
                "names are global). What to do: choose another ARGO_S3_*_BUCKET name"
            )
        return AwsError(f"{action} {resource}: {code}: {message}")
    return AwsError(f"{action} {resource}: {type(exc).__name__}: {exc}")


def _call(action: str, resource: str, function: Callable[..., Any], **kwargs: Any) -> Any:
    try:
        return function(**kwargs)
    except (ClientError, BotoCoreError) as exc:
        raise _explain(action, resource, exc) from None


class Aws:
    """Bootstraps and checks ARGO's AWS resources.

    Args:
        config: Names and limits.
        session: A boto3 session (default: one for ``config.region``). ``AWS_ENDPOINT_URL``
            is honoured by boto3 itself (tests point it at moto).
    """

    def __init__(self, config: AwsConfig, session: boto3.session.Session | None = None) -> None:
        self.config = config
        session = session or boto3.session.Session(region_name=config.region)
        self.s3 = session.client("s3", region_name=config.region)
        self.glue = session.client("glue", region_name=config.region)
        self.athena = session.client("athena", region_name=config.region)

    # -- buckets -----------------------------------------------------------------------
    def _bucket_region(self, bucket: str) -> str | None:
        """The bucket's region, or ``None`` when it does not exist."""
        try:
            answer = self.s3.get_bucket_location(Bucket=bucket)
        except ClientError as exc:
            if _code(exc) in ("NoSuchBucket", "404"):
                return None
            raise _explain("reading", f"s3://{bucket}", exc) from None
        except BotoCoreError as exc:
            raise _explain("reading", f"s3://{bucket}", exc) from None
        return str(answer.get("LocationConstraint") or "us-east-1")

    def _encrypted(self, bucket: str) -> bool:
        try:
            rules = self.s3.get_bucket_encryption(Bucket=bucket)[
                "ServerSideEncryptionConfiguration"
            ]["Rules"]
        except ClientError as exc:
            if _code(exc) == "ServerSideEncryptionConfigurationNotFoundError":
                return False
            raise _explain("reading encryption of", f"s3://{bucket}", exc) from None
        return any(r.get("ApplyServerSideEncryptionByDefault") for r in rules)

    def _public_blocked(self, bucket: str) -> bool:
        try:
            block = self.s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
        except ClientError as exc:
            if _code(exc) == "NoSuchPublicAccessBlockConfiguration":
                return False
            raise _explain("reading public access block of", f"s3://{bucket}", exc) from None
        return all(
            block.get(k)
            for k in (
                "BlockPublicAcls",
                "IgnorePublicAcls",
                "BlockPublicPolicy",
                "RestrictPublicBuckets",
            )
        )

    def _expiry_days(self, bucket: str) -> int | None:
        try:
            rules = self.s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
        except ClientError as exc:
            if _code(exc) == "NoSuchLifecycleConfiguration":
                return None
            raise _explain("reading lifecycle of", f"s3://{bucket}", exc) from None
        for rule in rules:
            if rule.get("ID") == EXPIRY_RULE and rule.get("Status") == "Enabled":
                return int(rule.get("Expiration", {}).get("Days", 0)) or None
        return None

    def _bucket_problems(self, bucket: str, expiry: int | None) -> list[str]:
        problems = []
        if not self._encrypted(bucket):
            problems.append("no default encryption")
        if not self._public_blocked(bucket):
            problems.append("public access not fully blocked")
        if expiry is not None and self._expiry_days(bucket) != expiry:
            problems.append(f"no {expiry}-day expiry of query results")
        return problems

    def _bucket(self, bucket: str, expiry: int | None, fix: bool) -> Step:
        name = f"s3://{bucket}"
        region = self._bucket_region(bucket)
        outcome = "ok"
        if region is None:
            if not fix:
                return Step(name, "problem", "missing (run `argo aws bootstrap`)")
            kwargs: dict[str, Any] = {"Bucket": bucket}
            if self.config.region != "us-east-1":
                kwargs["CreateBucketConfiguration"] = {"LocationConstraint": self.config.region}
            _call("creating", name, self.s3.create_bucket, **kwargs)
            outcome = "created"
        elif region != self.config.region:
            raise AwsError(
                f"{name} is in {region}, not in {self.config.region}. What to do: set "
                f"AWS_REGION={region}, or choose another bucket name"
            )
        problems = self._bucket_problems(bucket, expiry)
        if problems and not fix:
            return Step(name, "problem", "; ".join(problems))
        if problems:
            _call(
                "encrypting",
                name,
                self.s3.put_bucket_encryption,
                Bucket=bucket,
                ServerSideEncryptionConfiguration={
                    "Rules": [
                        {
                            "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
                            "BucketKeyEnabled": True,
                        }
                    ]
                },
            )
            _call(
                "blocking public access to",
                name,
                self.s3.put_public_access_block,
                Bucket=bucket,
                PublicAccessBlockConfiguration={
                    "BlockPublicAcls": True,
                    "IgnorePublicAcls": True,
                    "BlockPublicPolicy": True,
                    "RestrictPublicBuckets": True,
                },
            )
            if expiry is not None:
                _call(
                    "setting the expiry of",
                    name,
                    self.s3.put_bucket_lifecycle_configuration,
                    Bucket=bucket,
                    LifecycleConfiguration={
                        "Rules": [
                            {
                                "ID": EXPIRY_RULE,
                                "Status": "Enabled",
                                "Filter": {"Prefix": ""},
                                "Expiration": {"Days": expiry},
                                "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
                            }
                        ]
                    },
                )
            outcome = "created" if outcome == "created" else "updated"
        detail = "encrypted, public access blocked" + (
            f", results expire after {expiry} days" if expiry else ""
        )
        return Step(name, outcome, detail)

    # -- Glue --------------------------------------------------------------------------
    def _database(self, database: str, fix: bool) -> Step:
        name = f"glue database {database}"
        location = self.config.database_location(database)
        try:
            found = self.glue.get_database(Name=database)["Database"]
        except ClientError as exc:
            if _code(exc) != "EntityNotFoundException":
                raise _explain("reading", name, exc) from None
            if not fix:
                return Step(name, "problem", "missing (run `argo aws bootstrap`)")
            _call(
                "creating",
                name,
                self.glue.create_database,
                DatabaseInput={
                    "Name": database,
                    "Description": "ARGO: "
                    + ("raw data landed by dlt" if database.startswith("raw_") else "dbt models"),
                    "LocationUri": location,
                },
            )
            return Step(name, "created", location)
        except BotoCoreError as exc:
            raise _explain("reading", name, exc) from None
        if found.get("LocationUri") not in (None, "", location):
            return Step(
                name, "ok", f"located at {found['LocationUri']} (ARGO would use {location})"
            )
        return Step(name, "ok", location)

    # -- Athena ------------------------------------------------------------------------
    def _wanted_workgroup(self) -> dict[str, Any]:
        return {
            "ResultConfiguration": {
                "OutputLocation": self.config.results_location,
                "EncryptionConfiguration": {"EncryptionOption": "SSE_S3"},
            },
            "EnforceWorkGroupConfiguration": True,
            "PublishCloudWatchMetricsEnabled": True,
            "BytesScannedCutoffPerQuery": self.config.bytes_scanned_cutoff,
            "EngineVersion": {"SelectedEngineVersion": ENGINE},
        }

    def _workgroup_problems(self, found: Mapping[str, Any]) -> list[str]:
        problems = []
        if found.get("ResultConfiguration", {}).get("OutputLocation") != (
            self.config.results_location
        ):
            problems.append(f"result location is not {self.config.results_location}")
        if not found.get("EnforceWorkGroupConfiguration"):
            problems.append("the result location is not enforced")
        if found.get("BytesScannedCutoffPerQuery") != self.config.bytes_scanned_cutoff:
            problems.append(
                f"per-query scan cutoff is {found.get('BytesScannedCutoffPerQuery')}, "
                f"not {self.config.bytes_scanned_cutoff}"
            )
        return problems

    def _workgroup(self, fix: bool) -> Step:
        workgroup = self.config.workgroup
        name = f"athena workgroup {workgroup}"
        try:
            found = self.athena.get_work_group(WorkGroup=workgroup).get("WorkGroup")
        except ClientError as exc:
            if _code(exc) != "InvalidRequestException":  # AWS's answer for a missing one
                raise _explain("reading", name, exc) from None
            found = None
        except BotoCoreError as exc:
            raise _explain("reading", name, exc) from None
        if not found:
            if not fix:
                return Step(name, "problem", "missing (run `argo aws bootstrap`)")
            _call(
                "creating",
                name,
                self.athena.create_work_group,
                Name=workgroup,
                Configuration=self._wanted_workgroup(),
                Description="ARGO: dbt and dlt queries; enforced results and scan cutoff",
            )
            return Step(name, "created", self._workgroup_detail())
        problems = self._workgroup_problems(found.get("Configuration", {}))
        if not problems:
            return Step(name, "ok", self._workgroup_detail())
        if not fix:
            return Step(name, "problem", "; ".join(problems))
        wanted = self._wanted_workgroup()
        updates = {
            "ResultConfigurationUpdates": {
                "OutputLocation": wanted["ResultConfiguration"]["OutputLocation"],
                "EncryptionConfiguration": wanted["ResultConfiguration"]["EncryptionConfiguration"],
            },
            "EnforceWorkGroupConfiguration": True,
            "PublishCloudWatchMetricsEnabled": True,
            "BytesScannedCutoffPerQuery": self.config.bytes_scanned_cutoff,
        }
        _call(
            "updating",
            name,
            self.athena.update_work_group,
            WorkGroup=workgroup,
            ConfigurationUpdates=updates,
        )
        return Step(name, "updated", self._workgroup_detail())

    def _workgroup_detail(self) -> str:
        gib = self.config.bytes_scanned_cutoff / 1024**3
        dollars = self.config.bytes_scanned_cutoff / 1e12 * 5
        return (
            f"results enforced at {self.config.results_location}; a query scanning more "
            f"than {gib:.1f} GiB is cancelled (at most ${dollars:.2f} per query)"
        )

    # -- entry points ------------------------------------------------------------------
    def run(self, *, fix: bool, progress: Callable[[Step], None] | None = None) -> list[Step]:
        """Checks (and with ``fix`` creates or repairs) every resource, in order.

        Raises:
            AwsError: A call failed (permissions, region, a name taken elsewhere).
        """
        steps: list[Step] = []

        def record(step: Step) -> None:
            steps.append(step)
            if progress:
                progress(step)

        record(self._bucket(self.config.lake_bucket, None, fix))
        record(self._bucket(self.config.results_bucket, self.config.results_expiry_days, fix))
        for database in self.config.databases:
            record(self._database(database, fix))
        record(self._workgroup(fix))
        return steps


def policy(config: AwsConfig, account: str = "*") -> dict[str, Any]:
    """The least-privilege IAM policy of the role that runs dlt and dbt on Athena.

    Object access only in the two buckets; Glue only on ARGO's databases and their
    tables; Athena only in ARGO's workgroup. Bootstrapping (creating buckets, databases
    and the workgroup) is not in it: run ``argo aws bootstrap`` once as an administrator.
    """
    region = config.region
    glue = f"arn:aws:glue:{region}:{account}"
    databases = [f"{glue}:database/{d}" for d in config.databases]
    tables = [f"{glue}:table/{d}/*" for d in config.databases]
    buckets = [config.lake_bucket, config.results_bucket]
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ArgoListBuckets",
                "Effect": "Allow",
                "Action": ["s3:ListBucket", "s3:GetBucketLocation"],
                "Resource": [f"arn:aws:s3:::{b}" for b in buckets],
            },
            {
                "Sid": "ArgoReadWriteObjects",
                "Effect": "Allow",
                "Action": [
                    "s3:GetObject",
                    "s3:PutObject",
                    "s3:DeleteObject",
                    "s3:AbortMultipartUpload",
                    "s3:ListMultipartUploadParts",
                ],
                "Resource": [f"arn:aws:s3:::{b}/*" for b in buckets],
            },
            {
                "Sid": "ArgoGlueCatalog",
                "Effect": "Allow",
                "Action": [
                    "glue:GetDatabase",
                    "glue:GetDatabases",
                    "glue:GetTable",
                    "glue:GetTables",
                    "glue:CreateTable",
                    "glue:UpdateTable",
                    "glue:DeleteTable",
                    "glue:BatchDeleteTable",
                    "glue:GetPartition",
                    "glue:GetPartitions",
                    "glue:BatchGetPartition",
                    "glue:BatchCreatePartition",
                    "glue:BatchDeletePartition",
                    "glue:CreatePartition",
                    "glue:DeletePartition",
                    "glue:UpdatePartition",
                ],
                "Resource": [f"{glue}:catalog", *databases, *tables],
            },
            {
                "Sid": "ArgoAthenaWorkgroup",
                "Effect": "Allow",
                "Action": [
                    "athena:StartQueryExecution",
                    "athena:StopQueryExecution",
                    "athena:GetQueryExecution",
                    "athena:GetQueryResults",
                    "athena:GetWorkGroup",
                    "athena:GetDataCatalog",
                    "athena:ListDatabases",
                    "athena:GetDatabase",
                    "athena:GetTableMetadata",
                    "athena:ListTableMetadata",
                ],
                "Resource": [
                    f"arn:aws:athena:{region}:{account}:workgroup/{config.workgroup}",
                    f"arn:aws:athena:{region}:{account}:datacatalog/AwsDataCatalog",
                ],
            },
        ],
    }


def policy_json(config: AwsConfig, account: str = "*") -> str:
    """:func:`policy` as indented JSON."""
    return json.dumps(policy(config, account), indent=2)


def env_region(environ: Mapping[str, str] | None = None) -> str | None:
    """The region of the environment (``AWS_REGION``, else ``AWS_DEFAULT_REGION``), if any."""
    env = os.environ if environ is None else environ
    region = (env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "").strip()
    return region or None


def s3_client() -> Any:
    """An S3 client as the rest of ARGO makes them, for the few objects ARGO keeps itself.

    The default credential chain (role, profile or ``AWS_ACCESS_KEY_ID``), the region of
    :func:`env_region`, ``AWS_ENDPOINT_URL``
    honoured by boto3 (tests point it at moto). Used by the alert state (argo/alerts.py).
    """
    region = env_region()
    return boto3.session.Session(region_name=region).client("s3", region_name=region)


def error_code(exc: ClientError) -> str:
    """The AWS error code of a failed call (``NoSuchKey``, ``AccessDenied``, ...)."""
    return _code(exc)


def dlt_destination(config: AwsConfig) -> tuple[Any, Any]:
    """Dlt's ``athena`` destination and its ``filesystem`` staging on the lake bucket.

    dlt writes parquet under :attr:`AwsConfig.raw_location` (``<dataset>/<table>/``),
    registers the tables in the Glue database ``raw_<source>`` and runs its SQL in the
    workgroup. Every raw table is an Iceberg table (``force_iceberg``): merge and
    delete-insert, which every ARGO source uses, need Iceberg on Athena, and one format
    keeps the raw layer uniform. Credentials come from the default AWS chain (role,
    profile or ``AWS_ACCESS_KEY_ID``); ``AWS_ENDPOINT_URL`` is honoured (tests use moto).

    Returns:
        ``(destination, staging)`` for :func:`dlt.pipeline`.
    """
    import dlt
    from dlt.common.configuration.specs import AwsCredentials

    session = boto3.session.Session(region_name=config.region)
    frozen = session.get_credentials()
    if frozen is None:
        raise AwsError(
            "no AWS credentials for dlt's athena destination. What to do: configure them "
            "(an instance or CI role, AWS_PROFILE, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)"
        )
    keys = frozen.get_frozen_credentials()
    credentials = AwsCredentials(
        aws_access_key_id=keys.access_key or "",
        aws_secret_access_key=keys.secret_key,  # type: ignore[arg-type]
        aws_session_token=keys.token,
        region_name=config.region,
        endpoint_url=os.environ.get("AWS_ENDPOINT_URL") or None,
    )
    destination = dlt.destinations.athena(
        query_result_bucket=config.results_location,
        athena_work_group=config.workgroup,
        credentials=credentials,
        force_iceberg=True,
    )
    staging = dlt.destinations.filesystem(bucket_url=config.raw_location, credentials=credentials)
    return destination, staging
