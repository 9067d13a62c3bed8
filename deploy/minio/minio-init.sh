#!/bin/sh
# One-shot (the `minio-init` service): creates Lectern's bucket, private, and an app user whose
# policy reaches only that bucket. Safe to run again: every step converges.
set -eu

bucket="${S3_BUCKET:?}"
app_user="${S3_ACCESS_KEY:?}"
root_password="$(cat /run/secrets/minio_root_password)"
app_secret="$(cat /run/secrets/s3_secret_key)"

mc alias set lectern http://minio:9000 "${MINIO_ROOT_USER:?}" "$root_password" >/dev/null

mc mb --ignore-existing "lectern/$bucket"
mc anonymous set none "lectern/$bucket"

policy=/tmp/lectern-app-policy.json
cat >"$policy" <<JSON
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
      "Resource": ["arn:aws:s3:::$bucket"]
    },
    {
      "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
      "Resource": ["arn:aws:s3:::$bucket/*"]
    }
  ]
}
JSON
mc admin policy create lectern lectern-bucket "$policy"
# Creates the user, or sets its secret again when it already exists.
mc admin user add lectern "$app_user" "$app_secret"
# Attaching twice is an error, so look first: which users hold the policy, one per line.
if ! mc admin policy entities lectern --policy lectern-bucket | grep -qx "[[:space:]]*$app_user"; then
  mc admin policy attach lectern lectern-bucket --user "$app_user"
fi
echo "bucket $bucket ready for $app_user"
