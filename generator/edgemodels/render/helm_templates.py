"""The Helm chart's templates, written as Go templates (never dumped YAML): the helpers
every chart has in `_helpers.tpl`, and the templates of an HTTP model (Deployment, Service,
Ingress). A container model's templates are in `helm_container_templates.py`.

They are the same for every model (but for one line, see `http_templates`): everything
model-specific is in values.yaml, so a version bump touches values.yaml and Chart.yaml
only. The objects they produce equal the kustomize ones in `site.py` (a test renders both
and compares).
"""

from __future__ import annotations

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

_ENV = """\
          {{- with .Values.env }}
          env:
            {{- range $name, $value := . }}
            - name: {{ $name | quote }}
              value: {{ $value | quote }}
            {{- end }}
          {{- end }}
"""
DEPLOYMENT = (
    """\
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
"""
    + _ENV
    + """\
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
)

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

HTTP_TEMPLATES = {
    "deployment.yaml": DEPLOYMENT,
    "service.yaml": SERVICE,
    "ingress.yaml": INGRESS,
}

_NON_ROOT = "        runAsNonRoot: {{ not .Values.security.runAsRoot }}\n"
# Helm reads values as float64, which prints as 1e+06 from a million up: hence int64.
_RUN_AS_USER = "        runAsUser: {{ .Values.runAsUser | int64 }}\n"


# In the charts with a Secret's or ConfigMap's key somewhere (envvars.helm_env_vars).
_ENV_VARS = """\
          {{- with .Values.envVars }}
          env:
            {{- range $name, $ref := . }}
            - name: {{ $name | quote }}
              {{- if eq $ref.kind "Value" }}
              value: {{ $ref.value | quote }}
              {{- else }}
              valueFrom:
                {{ if eq $ref.kind "Secret" }}secretKeyRef{{ else }}configMapKeyRef{{ end }}:
                  name: {{ $ref.name | quote }}
                  key: {{ $ref.key | quote }}
                  {{- if $ref.optional }}
                  optional: true
                  {{- end }}
              {{- end }}
            {{- end }}
          {{- end }}
"""


# In the charts of models with envFrom: its list as Kubernetes spells it.
_ENV_FROM = """\
          {{- with .Values.envFrom }}
          envFrom:
            {{- toYaml . | nindent 12 }}
          {{- end }}
"""


def http_templates(
    run_as_user: bool, env_refs: bool = False, env_from: bool = False
) -> dict[str, str]:
    """The line for http.runAsUser, and the env references, are only in the charts of
    models that use them, so the charts of the others are what they were before."""
    deployment = DEPLOYMENT
    if run_as_user:
        assert _NON_ROOT in deployment
        deployment = deployment.replace(_NON_ROOT, _NON_ROOT + _RUN_AS_USER)
    assert _ENV in deployment
    env = (_ENV_VARS if env_refs else _ENV) + (_ENV_FROM if env_from else "")
    deployment = deployment.replace(_ENV, env)
    return {**HTTP_TEMPLATES, "deployment.yaml": deployment}
