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

{{/* Environment shared by every silo: its pod name and namespace, the API key, and OpenTelemetry export. */}}
{{- define "dprcluster.env" -}}
- name: DPRCLUSTER_Silo__Name
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: POD_NAMESPACE
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
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

{{/* Ports, probes and the configuration volume mount shared by every silo container. */}}
{{- define "dprcluster.container" -}}
ports:
  - name: http
    containerPort: 8080
  - name: internal
    containerPort: 8081
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
