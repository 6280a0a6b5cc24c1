{{/* Name of the release's objects: "<release>-dprcluster", or the release name when it already says dprcluster. */}}
{{- define "dprcluster.fullname" -}}
{{- if contains "dprcluster" .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-dprcluster" .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Labels of every object; call with (dict "root" $ "component" "shard"). */}}
{{- define "dprcluster.labels" -}}
{{ include "dprcluster.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end -}}

{{/* Labels that select one component's pods. */}}
{{- define "dprcluster.selectorLabels" -}}
app.kubernetes.io/name: dprcluster
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* The one image every role runs. */}}
{{- define "dprcluster.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/* The Redis membership store: the chart's own, or an existing one named by value. */}}
{{- define "dprcluster.redisConnection" -}}
{{- if .Values.membership.redis.deploy -}}
{{ include "dprcluster.fullname" . }}-redis:6379
{{- else -}}
{{ required "membership.redis.connectionString is required when membership.redis.deploy is false" .Values.membership.redis.connectionString }}
{{- end -}}
{{- end -}}

{{/*
Environment shared by every silo: what Orleans' Kubernetes hosting reads (pod name, namespace and IP; cluster and
service ids), the API key, and OpenTelemetry export.
*/}}
{{- define "dprcluster.env" -}}
- name: POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: POD_NAMESPACE
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
- name: POD_IP
  valueFrom:
    fieldRef:
      fieldPath: status.podIP
- name: ORLEANS_CLUSTER_ID
  value: {{ include "dprcluster.fullname" . | quote }}
- name: ORLEANS_SERVICE_ID
  value: {{ include "dprcluster.fullname" . | quote }}
- name: DPRCLUSTER_Telemetry__Enabled
  value: {{ .Values.telemetry.enabled | quote }}
- name: DPRCLUSTER_Telemetry__TraceSampleRatio
  value: {{ .Values.telemetry.traceSampleRatio | quote }}
{{- if .Values.telemetry.otlpEndpoint }}
- name: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
  value: {{ .Values.telemetry.otlpEndpoint | quote }}
- name: OTEL_EXPORTER_OTLP_PROTOCOL
  value: {{ .Values.telemetry.otlpProtocol | quote }}
{{- end }}
{{- if .Values.apiKey.existingSecret }}
- name: DPRCLUSTER_Api__ApiKey
  valueFrom:
    secretKeyRef:
      name: {{ .Values.apiKey.existingSecret }}
      key: {{ .Values.apiKey.secretKey }}
{{- end }}
{{- end -}}

{{/* Ports (REST/health, Orleans silo-to-silo) and probes shared by every silo container. */}}
{{- define "dprcluster.container" -}}
ports:
  - name: http
    containerPort: 8080
  - name: silo
    containerPort: 11111
startupProbe:
  httpGet:
    path: /healthz
    port: http
  periodSeconds: {{ .Values.probes.startup.periodSeconds }}
  failureThreshold: {{ .Values.probes.startup.failureThreshold }}
livenessProbe:
  httpGet:
    path: /healthz
    port: http
  periodSeconds: {{ .Values.probes.liveness.periodSeconds }}
  failureThreshold: {{ .Values.probes.liveness.failureThreshold }}
readinessProbe:
  httpGet:
    path: /readyz
    port: http
  periodSeconds: {{ .Values.probes.readiness.periodSeconds }}
  failureThreshold: {{ .Values.probes.readiness.failureThreshold }}
{{- end -}}

{{/* The Secret with the cluster's TLS certificate, key and CA. */}}
{{- define "dprcluster.tlsSecret" -}}
{{- .Values.tls.secretName | default (printf "%s-tls" (include "dprcluster.fullname" .)) -}}
{{- end -}}

{{/* Mount of the cluster certificates into a silo container (where Cluster:Tls's default paths look). */}}
{{- define "dprcluster.tlsMount" -}}
{{- if .Values.tls.enabled }}
- name: tls
  mountPath: /etc/dprcluster-tls
  readOnly: true
{{- end }}
{{- end -}}

{{/* The pod volume of the cluster certificates. */}}
{{- define "dprcluster.tlsVolume" -}}
{{- if .Values.tls.enabled }}
- name: tls
  secret:
    secretName: {{ include "dprcluster.tlsSecret" . }}
    defaultMode: 0440
{{- end }}
{{- end -}}
