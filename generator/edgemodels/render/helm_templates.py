"""The Helm chart's templates, written as Go templates (never dumped YAML).

They are the same for every model (but for one line, see `http_templates`): everything
model-specific is in values.yaml, so a version bump touches values.yaml and Chart.yaml
only. The objects they produce equal the kustomize ones in `site.py` (a test renders both
and compares).
"""

from __future__ import annotations

import json

from edgemodels.render.site import COPY_BACKOFF_LIMIT, COPY_SCRIPT, HOLD_SCRIPT

# Names are quoted: a model named `n`, `no`, `on` or `123` is a boolean or a number to YAML.
HELPERS = """\
{{- define "edgemodels.selectorLabels" -}}
app.kubernetes.io/name: {{ .name | quote }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "edgemodels.labels" -}}
{{ include "edgemodels.selectorLabels" . }}
app.kubernetes.io/managed-by: edgemodels
edgemodels.io/model: {{ .name | quote }}
{{- end }}

{{- define "edgemodels.metadata" -}}
name: {{ .objectName | quote }}
namespace: {{ .namespace | quote }}
labels:
  {{- include "edgemodels.labels" . | nindent 2 }}
annotations:
  edgemodels.io/source: {{ .source | quote }}
  {{- if .replaced }}
  apps.open-cluster-management.io/reconcile-option: replace
  {{- end }}
  {{- with .security }}
  {{- with include "edgemodels.exceptions" . | trim }}
  {{- . | nindent 2 }}
  {{- end }}
  {{- end }}
{{- end }}

{{- /* A model's declared security exception. The pod template carries it too: the
       admission policies (P124, P125) check the Pods, which get only the template's. */}}
{{- define "edgemodels.exceptions" -}}
{{- if .runAsRoot }}
edgemodels.io/run-as-root: {{ .reason | quote }}
{{- end }}
{{- if .writableRootFilesystem }}
edgemodels.io/writable-root-filesystem: {{ .reason | quote }}
{{- end }}
{{- end }}

{{- /* `replaced`: the objects whose Kustomize twins RHACM must PUT, not merge, so that a
       removed key leaves the site (site.py, RECONCILE_OPTION). Helm ignores it, and keeps
       the two packagings' objects the same. */}}
{{- define "edgemodels.context" -}}
{{- $root := index . 0 -}}
{{- toJson (dict "name" $root.Chart.Name "component" (index . 1) "objectName" (index . 2)
    "namespace" $root.Release.Namespace "source" $root.Values.source) -}}
{{- end }}

{{- define "edgemodels.containerSecurity" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: {{ not . }}
capabilities:
  drop:
    - ALL
{{- end }}
"""

DEPLOYMENT = """\
{{- $ctx := include "edgemodels.context" (list . "model-server" .Chart.Name) | fromJson }}
{{- $ctx = merge (dict "security" .Values.security "replaced" true) $ctx }}
apiVersion: apps/v1
kind: Deployment
metadata:
  {{- include "edgemodels.metadata" $ctx | nindent 2 }}
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels:
      {{- include "edgemodels.selectorLabels" $ctx | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "edgemodels.labels" $ctx | nindent 8 }}
      {{- with include "edgemodels.exceptions" .Values.security | trim }}
      annotations:
        {{- . | nindent 8 }}
      {{- end }}
    spec:
      automountServiceAccountToken: false
      {{- with .Values.imagePullSecrets }}
      imagePullSecrets:
        {{- range . }}
        - name: {{ . | quote }}
        {{- end }}
      {{- end }}
      securityContext:
        runAsNonRoot: {{ not .Values.security.runAsRoot }}
        seccompProfile:
          type: RuntimeDefault
      containers:
        - name: model
          image: {{ .Values.image | quote }}
          imagePullPolicy: IfNotPresent
          ports:
            - name: http
              containerPort: {{ .Values.port }}
              protocol: TCP
          {{- with .Values.env }}
          env:
            {{- range $name, $value := . }}
            - name: {{ $name | quote }}
              value: {{ $value | quote }}
            {{- end }}
          {{- end }}
          startupProbe:
            httpGet:
              path: {{ .Values.healthPath | quote }}
              port: http
            periodSeconds: 10
            failureThreshold: 60
          readinessProbe:
            httpGet:
              path: {{ .Values.readinessPath | quote }}
              port: http
            periodSeconds: 10
          livenessProbe:
            httpGet:
              path: {{ .Values.healthPath | quote }}
              port: http
            periodSeconds: 20
            failureThreshold: 3
          {{- with .Values.resources }}
          resources:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          {{- $writable := .Values.security.writableRootFilesystem }}
          securityContext:
            {{- include "edgemodels.containerSecurity" $writable | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
      volumes:
        - name: tmp
          emptyDir: {}
"""

SERVICE = """\
{{- $ctx := include "edgemodels.context" (list . "model-server" .Chart.Name) | fromJson }}
apiVersion: v1
kind: Service
metadata:
  {{- include "edgemodels.metadata" $ctx | nindent 2 }}
spec:
  type: ClusterIP
  selector:
    {{- include "edgemodels.selectorLabels" $ctx | nindent 4 }}
  ports:
    - name: http
      port: 80
      targetPort: http
      protocol: TCP
"""

INGRESS = """\
{{- if .Values.ingressPath }}
{{- $ctx := include "edgemodels.context" (list . "model-server" .Chart.Name) | fromJson }}
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  {{- include "edgemodels.metadata" $ctx | nindent 2 }}
spec:
  rules:
    - http:
        paths:
          - path: {{ .Values.ingressPath | quote }}
            pathType: Prefix
            backend:
              service:
                name: {{ .Chart.Name | quote }}
                port:
                  name: http
{{- end }}
"""

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

HTTP_TEMPLATES = {
    "deployment.yaml": DEPLOYMENT,
    "service.yaml": SERVICE,
    "ingress.yaml": INGRESS,
}

_NON_ROOT = "        runAsNonRoot: {{ not .Values.security.runAsRoot }}\n"
# Helm reads values as float64, which prints as 1e+06 from a million up: hence int64.
_RUN_AS_USER = "        runAsUser: {{ .Values.runAsUser | int64 }}\n"
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


def http_templates(run_as_user: bool) -> dict[str, str]:
    """The line for http.runAsUser is only in the charts of models that set it, so the
    charts of the others are what they were before the field existed."""
    if not run_as_user:
        return HTTP_TEMPLATES
    assert _NON_ROOT in DEPLOYMENT
    return {
        **HTTP_TEMPLATES,
        "deployment.yaml": DEPLOYMENT.replace(_NON_ROOT, _NON_ROOT + _RUN_AS_USER),
    }


JOB = JOB.replace("COPY_BACKOFF_LIMIT", str(COPY_BACKOFF_LIMIT))
PREFETCH = PREFETCH.replace('"HOLD_SCRIPT"', json.dumps(HOLD_SCRIPT))  # a Go string literal

CONTAINER_TEMPLATES = {
    "descriptor.yaml": DESCRIPTOR,
    "claim.yaml": CLAIM,
    "job.yaml": JOB,
    "prefetch.yaml": PREFETCH,
}
