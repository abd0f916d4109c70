{{/* mode scaled: what the three roles' pods have in common. Arguments: (dict "root" $ "role" "collector|correlator|incidents"). */}}

{{/*
<fullname>-<role>, at most 52 characters: a StatefulSet's pods carry the label
controller-revision-hash = <name>-<10-character hash>, which must fit 63. The full name is shortened,
never the role, so the three names stay distinct.
*/}}
{{- define "transitwatch.roleName" -}}
{{- $keep := sub 52 (add1 (len .role)) | int }}
{{- printf "%s-%s" (include "transitwatch.fullname" .root | trunc $keep | trimSuffix "-") .role }}
{{- end }}

{{- define "transitwatch.roleSelectorLabels" -}}
{{ include "transitwatch.selectorLabels" .root }}
app.kubernetes.io/component: {{ .role }}
{{- end }}

{{/* The subcommand of each role. */}}
{{- define "transitwatch.roleCommand" -}}
{{- get (dict "collector" "collect" "correlator" "correlate" "incidents" "incidents") .role }}
{{- end }}

{{- define "transitwatch.rolePodTemplate" -}}
{{- $root := .root }}
{{- $v := $root.Values }}
{{- $role := .role -}}
metadata:
  annotations:
    # A changed configuration rolls the pods: the daemon reads its file once, at start.
    checksum/config: {{ include "transitwatch.roleConfigMap" . | sha256sum }}
    {{- if and (include "transitwatch.roleSlack" .) (not $v.slack.existingSecret) }}
    checksum/secret: {{ include (print $root.Template.BasePath "/secret.yaml") $root | sha256sum }}
    {{- end }}
    {{- with $v.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  labels:
    {{- include "transitwatch.labels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ $role }}
    {{- with $v.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  serviceAccountName: {{ include "transitwatch.serviceAccountName" $root }}
  # The token only for roles that read the Kubernetes API (kubernetes.enabled; not the incident stage).
  automountServiceAccountToken: {{ include "transitwatch.roleReadsKubernetes" . }}
  enableServiceLinks: false
  {{- with $v.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $v.priorityClassName }}
  priorityClassName: {{ . }}
  {{- end }}
  terminationGracePeriodSeconds: {{ $v.terminationGracePeriodSeconds }}
  securityContext:
    {{- toYaml $v.podSecurityContext | nindent 4 }}
  containers:
    - name: transitwatch
      image: {{ include "transitwatch.image" $root | quote }}
      imagePullPolicy: {{ $v.image.pullPolicy }}
      args:
        - {{ include "transitwatch.roleCommand" . }}
        - --config
        - {{ include "transitwatch.configDir" $root }}/config.yaml
      env:
        {{- include "transitwatch.roleEnv" . | nindent 8 }}
      ports:
        - name: http
          containerPort: {{ $v.http.port }}
          protocol: TCP
      {{- with $v.startupProbe }}
      startupProbe:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.livenessProbe }}
      livenessProbe:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.readinessProbe }}
      readinessProbe:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      resources:
        {{- toYaml (get (get $v.scaled $role) "resources") | nindent 8 }}
      securityContext:
        {{- toYaml $v.securityContext | nindent 8 }}
      terminationMessagePolicy: FallbackToLogsOnError
      volumeMounts:
        {{- include "transitwatch.roleVolumeMounts" . | nindent 8 }}
  volumes:
    {{- include "transitwatch.roleVolumes" . | nindent 4 }}
  {{- with $v.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  affinity:
  {{- if $v.affinity }}
    {{- toYaml $v.affinity | nindent 4 }}
  {{- else }}
    # Pods of one role on different nodes where possible: a node's loss then takes one collector's
    # nodes (UNVERIFIED until it is back) or one correlator's partitions, not all of them.
    podAntiAffinity:
      preferredDuringSchedulingIgnoredDuringExecution:
        - weight: 100
          podAffinityTerm:
            topologyKey: kubernetes.io/hostname
            labelSelector:
              matchLabels:
                {{- include "transitwatch.roleSelectorLabels" . | nindent 16 }}
  {{- end }}
  {{- with $v.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}

{{/* The headless Service a StatefulSet needs for its pods' stable names. */}}
{{- define "transitwatch.roleHeadlessService" -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "transitwatch.roleName" . }}
  namespace: {{ include "transitwatch.namespace" .root }}
  labels:
    {{- include "transitwatch.labels" .root | nindent 4 }}
    app.kubernetes.io/component: {{ .role }}
spec:
  # Headless and without ports: only the pods' DNS names. Metrics are scraped through the Service
  # {{ include "transitwatch.fullname" .root }}, which selects every role; a port here would make the
  # ServiceMonitor scrape each pod twice.
  clusterIP: None
  publishNotReadyAddresses: true
  selector:
    {{- include "transitwatch.roleSelectorLabels" . | nindent 4 }}
{{- end }}

{{- define "transitwatch.roleStatefulSet" -}}
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: {{ include "transitwatch.roleName" . }}
  namespace: {{ include "transitwatch.namespace" .root }}
  labels:
    {{- include "transitwatch.labels" .root | nindent 4 }}
    app.kubernetes.io/component: {{ .role }}
spec:
  replicas: {{ .replicas }}
  serviceName: {{ include "transitwatch.roleName" . }}
  # All pods at once: a collector's shard and a correlator's member id come from its ordinal, not
  # from the order in which pods start.
  podManagementPolicy: Parallel
  revisionHistoryLimit: 5
  updateStrategy:
    type: RollingUpdate
  selector:
    matchLabels:
      {{- include "transitwatch.roleSelectorLabels" . | nindent 6 }}
  template:
    {{- include "transitwatch.rolePodTemplate" . | nindent 4 }}
{{- end }}

{{/* A duration of the daemon's form (90s, 1m30s, 500ms, 2h, 1d) in milliseconds. */}}
{{- define "transitwatch.durationMs" -}}
{{- $ms := 0 }}
{{- $unit := dict "ms" 1 "s" 1000 "m" 60000 "h" 3600000 "d" 86400000 }}
{{- range regexFindAll "[0-9]+(ms|s|m|h|d)" . -1 }}
{{- $n := regexFind "^[0-9]+" . }}
{{- $u := trimPrefix $n . }}
{{- $ms = add $ms (mul (int64 $n) (get $unit $u)) }}
{{- end }}
{{- $ms }}
{{- end }}
