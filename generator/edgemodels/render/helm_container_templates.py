"""The Helm templates of a container model, written as Go templates (never dumped YAML):
its ConfigMap, the claim and the copy Job (delivery copy), the prefetch Deployment
(delivery imageVolume).

A chart has either these or an HTTP model's templates (`helm_templates.py`, which also
holds the helpers both use), so the two sets live apart; these are the ones that embed
what the kustomize packaging runs too: the copy and hold scripts and the Job's backoff,
from `site_container.py`. They are the same for every model (but for one line, see
`container_templates`), and the objects they produce equal the kustomize ones in
`site_container.py`
(a test renders both and compares).
"""

from __future__ import annotations

import json

from edgemodels.render.site_container import COPY_BACKOFF_LIMIT, COPY_SCRIPT, HOLD_SCRIPT

DESCRIPTOR = """\
{{- $name := printf "%s-model" .Chart.Name }}
{{- $ctx := include "edgemodels.context" (list . "model-files" $name) | fromJson }}
{{- $ctx = merge (dict "replaced" true) $ctx }}
{{- $ref := splitList "@" .Values.image }}
apiVersion: v1
kind: ConfigMap
metadata:
  {{- include "edgemodels.metadata" $ctx | nindent 2 }}
data:
  name: {{ .Chart.Name | quote }}
  version: {{ .Values.version | quote }}
  image: {{ .Values.image | quote }}
  {{- if gt (len $ref) 1 }}
  digest: {{ last $ref | quote }}
  {{- end }}
  path: {{ .Values.modelPath | quote }}
  delivery: {{ .Values.delivery | quote }}
  {{- if eq .Values.delivery "copy" }}
  claimName: {{ printf "%s-model" .Chart.Name | quote }}
  subPath: current
  {{- else }}
  reference: {{ .Values.image | quote }}
  {{- end }}
"""

CLAIM = """\
{{- if eq .Values.delivery "copy" }}
{{- $name := printf "%s-model" .Chart.Name }}
{{- $ctx := include "edgemodels.context" (list . "model-files" $name) | fromJson }}
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  {{- include "edgemodels.metadata" $ctx | nindent 2 }}
spec:
  accessModes:
    - ReadWriteOnce
  resources:
    requests:
      storage: {{ .Values.size | quote }}
{{- end }}
"""

_SCRIPT = "".join(f"          {line}\n" for line in COPY_SCRIPT.splitlines())

# The copy Job's pod template, rendered once to be both hashed and written. The folder of
# the files changes with their content (common.content_dir).
COPY_POD = (
    """\
{{- define "edgemodels.copyPod" -}}
{{- $v := .Values }}
{{- $labels := dict "name" .Chart.Name "component" "model-files" }}
{{- $key := printf "%s\\n%s\\n%s" $v.version $v.image $v.modelPath }}
metadata:
  labels:
    {{- include "edgemodels.labels" $labels | nindent 4 }}
spec:
  restartPolicy: OnFailure
  automountServiceAccountToken: false
  {{- with $v.imagePullSecrets }}
  imagePullSecrets:
    {{- range . }}
    - name: {{ . | quote }}
    {{- end }}
  {{- end }}
  securityContext:
    runAsNonRoot: true
    runAsUser: 65532
    runAsGroup: 65532
    fsGroup: 65532
    seccompProfile:
      type: RuntimeDefault
  initContainers:
    - name: tools
      image: {{ $v.toolsImage | quote }}
      imagePullPolicy: IfNotPresent
      command:
        - /bin/cp
        - /bin/busybox
        - /tools/busybox
      resources:
        requests:
          cpu: 50m
          memory: 64Mi
        limits:
          memory: 256Mi
      securityContext:
        {{- include "edgemodels.containerSecurity" false | nindent 8 }}
      volumeMounts:
        - name: tools
          mountPath: /tools
  containers:
    - name: copy
      image: {{ $v.image | quote }}
      imagePullPolicy: IfNotPresent
      command:
        - /tools/busybox
        - sh
        - -c
        - |
"""
    + _SCRIPT
    + """\
      env:
        - name: MODEL_PATH
          value: {{ $v.modelPath | quote }}
        - name: MODEL_VERSION_DIR
          value: {{ printf "%s-%s" $v.versionDir (sha256sum $key | trunc 12) | quote }}
      resources:
        requests:
          cpu: 50m
          memory: 64Mi
        limits:
          memory: 256Mi
      securityContext:
        {{- include "edgemodels.containerSecurity" false | nindent 8 }}
      volumeMounts:
        - name: tools
          mountPath: /tools
          readOnly: true
        - name: models
          mountPath: /models
  volumes:
    - name: tools
      emptyDir: {}
    - name: models
      persistentVolumeClaim:
        claimName: {{ printf "%s-model" .Chart.Name }}
{{- end }}
"""
)

JOB = (
    COPY_POD
    + """\
{{- if eq .Values.delivery "copy" }}
{{- /* The pod template of a Job is immutable: whatever changes it changes the name, so
       the name hashes the rendered template (as common.copy_job_name does). */}}
{{- $pod := include "edgemodels.copyPod" . | trim }}
{{- $name := printf "%s-copy-%s" .Chart.Name ($pod | fromYaml | toJson | sha256sum | trunc 8) }}
{{- $ctx := include "edgemodels.context" (list . "model-files" $name) | fromJson }}
apiVersion: batch/v1
kind: Job
metadata:
  {{- include "edgemodels.metadata" $ctx | nindent 2 }}
spec:
  backoffLimit: COPY_BACKOFF_LIMIT
  template:
    {{- $pod | nindent 4 }}
{{- end }}
"""
)

PREFETCH = """\
{{- if eq .Values.delivery "imageVolume" }}
{{- $name := printf "%s-prefetch" .Chart.Name }}
{{- $ctx := include "edgemodels.context" (list . "model-prefetch" $name) | fromJson }}
{{- $ctx = merge (dict "replaced" true) $ctx }}
apiVersion: apps/v1
kind: Deployment
metadata:
  {{- include "edgemodels.metadata" $ctx | nindent 2 }}
spec:
  replicas: 1
  selector:
    matchLabels:
      {{- include "edgemodels.selectorLabels" $ctx | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "edgemodels.labels" $ctx | nindent 8 }}
    spec:
      automountServiceAccountToken: false
      {{- with .Values.imagePullSecrets }}
      imagePullSecrets:
        {{- range . }}
        - name: {{ . | quote }}
        {{- end }}
      {{- end }}
      securityContext:
        runAsNonRoot: true
        runAsUser: 65532
        runAsGroup: 65532
        fsGroup: 65532
        seccompProfile:
          type: RuntimeDefault
      containers:
        - name: hold
          image: {{ .Values.toolsImage | quote }}
          imagePullPolicy: IfNotPresent
          command:
            - /bin/sh
            - -c
            - {{ "HOLD_SCRIPT" | quote }}
          readinessProbe:
            exec:
              command:
                - /bin/test
                - -d
                - {{ printf "/model%s" .Values.modelPath | quote }}
            periodSeconds: 30
          livenessProbe:
            exec:
              command:
                - /bin/test
                - -d
                - {{ printf "/model%s" .Values.modelPath | quote }}
            periodSeconds: 60
          resources:
            requests:
              cpu: 1m
              memory: 8Mi
            limits:
              memory: 32Mi
          securityContext:
            {{- include "edgemodels.containerSecurity" false | nindent 12 }}
          volumeMounts:
            - name: model
              mountPath: /model
              readOnly: true
      volumes:
        - name: model
          image:
            reference: {{ .Values.image | quote }}
            pullPolicy: IfNotPresent
{{- end }}
"""

_CLAIM_MODES = "spec:\n  accessModes:\n"
_STORAGE_CLASS = "  storageClassName: {{ .Values.storageClassName | quote }}\n"


def container_templates(storage_class: bool) -> dict[str, str]:
    """The line for container.storageClassName is only in the charts of models that set it,
    so the charts of the others are what they were before the field existed."""
    if not storage_class:
        return CONTAINER_TEMPLATES
    assert _CLAIM_MODES in CLAIM
    return {
        **CONTAINER_TEMPLATES,
        "claim.yaml": CLAIM.replace(_CLAIM_MODES, "spec:\n" + _STORAGE_CLASS + "  accessModes:\n"),
    }


JOB = JOB.replace("COPY_BACKOFF_LIMIT", str(COPY_BACKOFF_LIMIT))
PREFETCH = PREFETCH.replace('"HOLD_SCRIPT"', json.dumps(HOLD_SCRIPT))  # a Go string literal

CONTAINER_TEMPLATES = {
    "descriptor.yaml": DESCRIPTOR,
    "claim.yaml": CLAIM,
    "job.yaml": JOB,
    "prefetch.yaml": PREFETCH,
}
