package diagnose

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/tunneldoc/tunneldoc/diagnose/internal/testkit"
)

// corpusCase is what one public corpus file (shared/corpus/public, see
// SOURCES.md there) must be diagnosed as. The cause is read from the
// device lines and from what SOURCES.md and the file's .expected.json say
// about it; where a .expected.json of kind "diagnosis" states a cause, the
// table must agree with it.
type corpusCase struct {
	cause string
	// unread: tunneldoc does not read this vendor or command yet. The
	// answer must then be the cause or unknown: never a wrong diagnosis.
	unread bool
}

// corpusWant covers every device text of the public corpus. Junos,
// ScreenOS, Yamaha, PAN-OS, Azure, racoon and FortiOS flow-trace outputs
// are read in part (package gateways); the FortiOS sniffer, PAN-OS test
// commands, ScreenOS interfaces and DMVPN tables are not read, and a ping
// alone decides nothing. Cisco
// configuration and statistics outputs (crypto map, ikev2 stats, qfp
// counters...) carry no tunnel state: unknown is their right answer.
// Notes on the failing Cisco ones, all from their own lines:
//   - cisco_asa/show_crypto_ikev2_sa/genieparser_2: "There are no IKEv2 SAs".
//   - cisco_asa show_running-config[_all]_crypto_map/ntc-templates_2: the
//     section binds WAN1_CMAP to WAN1 and has no interface line for S2S_CMAP.
//   - cisco_ios/show_crypto_map/genieparser_3: "Interfaces using crypto map
//     sdsd:" lists none.
//   - cisco_ios/show_crypto_ipsec_sa_detail/genieparser_2: current outbound
//     spi 0x0, no SA, all counters zero, no IKE SA shown.
//   - cisco_ios/show_crypto_isakmp_sa/genieparser_1-3: MM_NO_STATE row for
//     one peer beside QM_IDLE rows for the others.
//   - cisco_ios/show_monitor_event-trace_crypto_from-boot: the trace since
//     boot holds three IKE_SA_INIT requests and no answer.
//   - one-way: cisco_asa/show_crypto_ipsec_sa/ntc-templates_1 (1145 decaps,
//     0 encaps, remote-access peer with named selectors),
//     cisco_asa/show_vpn-sessiondb_detail_l2l/ntc-templates_2 (1709 packets
//     out, 0 in), cisco_ios/show_crypto_ipsec_sa_ipv6_detailed/genieparser_1
//     (3432 encaps, 0 decaps).
var corpusWant = map[string]corpusCase{
	"alibaba_cloud/diagnose_vpn_connections_sourcelog/alibabacloud-typescript-sdk_1.txt":             {cause: CausePeerUnreachable},
	"azure_vpn_gateway/network_watcher_connectionstats/azure-docs_1.txt":                             {cause: CauseHealthy},
	"azure_vpn_gateway/network_watcher_ikeerrors/azure-docs_1.txt":                                   {cause: CausePSKMismatch},
	"azure_vpn_gateway/network_watcher_ikelogs/azure-docs_1.txt":                                     {cause: CauseESPProposalMismatch},
	"azure_vpn_gateway/network_watcher_scrubbed-wfpdiag/azure-docs_1.txt":                            {cause: CausePSKMismatch},
	"azure_vpn_gateway/network_watcher_wfpdiag-sum/azure-docs_1.txt":                                 {cause: CauseUnknown},
	"cisco_asa/show_asp_table_vpn-context_detail/ntc-templates_1.txt":                                {cause: CauseUnknown},
	"cisco_asa/show_crypto_ikev1_sa_detail/ntc-templates_1.txt":                                      {cause: CauseHealthy},
	"cisco_asa/show_crypto_ikev2_sa/genieparser_1.txt":                                               {cause: CauseHealthy},
	"cisco_asa/show_crypto_ikev2_sa/genieparser_2.txt":                                               {cause: CauseNoInterestingTraffic},
	"cisco_asa/show_crypto_ipsec_sa/aws-vpn-guide_1.txt":                                             {cause: CauseHealthy},
	"cisco_asa/show_crypto_ipsec_sa/ntc-templates_1.txt":                                             {cause: CauseOneWayInbound},
	"cisco_asa/show_crypto_isakmp_sa/aws-vpn-guide_1.txt":                                            {cause: CauseHealthy},
	"cisco_asa/show_running-config_all_crypto_map/ntc-templates_1.txt":                               {cause: CauseUnknown},
	"cisco_asa/show_running-config_all_crypto_map/ntc-templates_2.txt":                               {cause: CauseNoInterestingTraffic},
	"cisco_asa/show_running-config_crypto_ikev1/ntc-templates_1.txt":                                 {cause: CauseUnknown},
	"cisco_asa/show_running-config_crypto_map/ntc-templates_1.txt":                                   {cause: CauseUnknown},
	"cisco_asa/show_running-config_crypto_map/ntc-templates_2.txt":                                   {cause: CauseNoInterestingTraffic},
	"cisco_asa/show_running-config_ipsec/ntc-templates_1.txt":                                        {cause: CauseUnknown},
	"cisco_asa/show_running-config_tunnel-group/ntc-templates_1.txt":                                 {cause: CauseUnknown},
	"cisco_asa/show_vpn-sessiondb/genieparser_1.txt":                                                 {cause: CauseUnknown},
	"cisco_asa/show_vpn-sessiondb/genieparser_2.txt":                                                 {cause: CauseUnknown},
	"cisco_asa/show_vpn-sessiondb/genieparser_3.txt":                                                 {cause: CauseUnknown},
	"cisco_asa/show_vpn-sessiondb/genieparser_4.txt":                                                 {cause: CauseUnknown},
	"cisco_asa/show_vpn-sessiondb/ntc-templates_1.txt":                                               {cause: CauseUnknown},
	"cisco_asa/show_vpn-sessiondb/ntc-templates_2.txt":                                               {cause: CauseUnknown},
	"cisco_asa/show_vpn-sessiondb_detail_l2l/ntc-templates_1.txt":                                    {cause: CauseHealthy},
	"cisco_asa/show_vpn-sessiondb_detail_l2l/ntc-templates_2.txt":                                    {cause: CauseOneWayOutbound},
	"cisco_asa/show_vpn-sessiondb_detail_l2l/ntc-templates_3.txt":                                    {cause: CauseHealthy},
	"cisco_asa/show_vpn-sessiondb_detail_l2l/ntc-templates_4.txt":                                    {cause: CauseHealthy},
	"cisco_ios/show_crypto_call_admission_statistics/genieparser_1.txt":                              {cause: CauseUnknown},
	"cisco_ios/show_crypto_datapath_ipv4_snapshot_non-zero/genieparser_1.txt":                        {cause: CauseUnknown},
	"cisco_ios/show_crypto_ikev2_count/genieparser_1.txt":                                            {cause: CauseUnknown},
	"cisco_ios/show_crypto_ikev2_count/genieparser_2.txt":                                            {cause: CauseUnknown},
	"cisco_ios/show_crypto_ikev2_diagnose_error/genieparser_1.txt":                                   {cause: CauseUnknown},
	"cisco_ios/show_crypto_ikev2_diagnose_error/genieparser_2.txt":                                   {cause: CauseUnknown},
	"cisco_ios/show_crypto_ikev2_diagnose_error/genieparser_3.txt":                                   {cause: CauseUnknown},
	"cisco_ios/show_crypto_ikev2_performance/genieparser_1.txt":                                      {cause: CauseUnknown},
	"cisco_ios/show_crypto_ikev2_policy/genieparser_1.txt":                                           {cause: CauseUnknown},
	"cisco_ios/show_crypto_ikev2_proposal/genieparser_1.txt":                                         {cause: CauseUnknown},
	"cisco_ios/show_crypto_ikev2_proposal/genieparser_2.txt":                                         {cause: CauseUnknown},
	"cisco_ios/show_crypto_ikev2_sa/genieparser_1.txt":                                               {cause: CauseHealthy},
	"cisco_ios/show_crypto_ikev2_sa/genieparser_2.txt":                                               {cause: CauseHealthy},
	"cisco_ios/show_crypto_ikev2_sa/genieparser_3.txt":                                               {cause: CauseHealthy},
	"cisco_ios/show_crypto_ikev2_sa_detail/genieparser_1.txt":                                        {cause: CauseHealthy},
	"cisco_ios/show_crypto_ikev2_sa_detail/genieparser_2.txt":                                        {cause: CauseHealthy},
	"cisco_ios/show_crypto_ikev2_sa_detail/genieparser_3.txt":                                        {cause: CauseHealthy},
	"cisco_ios/show_crypto_ikev2_sa_detail/genieparser_4.txt":                                        {cause: CauseHealthy},
	"cisco_ios/show_crypto_ikev2_sa_detail/genieparser_5.txt":                                        {cause: CauseHealthy},
	"cisco_ios/show_crypto_ikev2_sa_detail/genieparser_6.txt":                                        {cause: CauseHealthy},
	"cisco_ios/show_crypto_ikev2_sa_detail/genieparser_7.txt":                                        {cause: CauseHealthy},
	"cisco_ios/show_crypto_ikev2_sa_local/genieparser_1.txt":                                         {cause: CauseHealthy},
	"cisco_ios/show_crypto_ikev2_sa_local_detail/genieparser_1.txt":                                  {cause: CauseHealthy},
	"cisco_ios/show_crypto_ikev2_sa_remote/genieparser_1.txt":                                        {cause: CauseHealthy},
	"cisco_ios/show_crypto_ikev2_sa_remote_detail/genieparser_1.txt":                                 {cause: CauseHealthy},
	"cisco_ios/show_crypto_ikev2_session/genieparser_1.txt":                                          {cause: CauseHealthy},
	"cisco_ios/show_crypto_ikev2_session/genieparser_2.txt":                                          {cause: CauseHealthy},
	"cisco_ios/show_crypto_ikev2_session/genieparser_3.txt":                                          {cause: CauseHealthy},
	"cisco_ios/show_crypto_ikev2_session_detailed/genieparser_1.txt":                                 {cause: CauseHealthy},
	"cisco_ios/show_crypto_ikev2_stats/genieparser_1.txt":                                            {cause: CauseUnknown},
	"cisco_ios/show_crypto_ikev2_stats_exchange/genieparser_1.txt":                                   {cause: CauseUnknown},
	"cisco_ios/show_crypto_ikev2_stats_ext-service/genieparser_1.txt":                                {cause: CauseUnknown},
	"cisco_ios/show_crypto_ikev2_stats_ext-service/genieparser_2.txt":                                {cause: CauseUnknown},
	"cisco_ios/show_crypto_ikev2_stats_ext-service/genieparser_3.txt":                                {cause: CauseUnknown},
	"cisco_ios/show_crypto_ikev2_stats_psh/genieparser_1.txt":                                        {cause: CauseUnknown},
	"cisco_ios/show_crypto_ikev2_stats_reconnect/genieparser_1.txt":                                  {cause: CauseUnknown},
	"cisco_ios/show_crypto_ikev2_stats_timeout/genieparser_1.txt":                                    {cause: CauseUnknown},
	"cisco_ios/show_crypto_ipsec_profile/genieparser_1.txt":                                          {cause: CauseUnknown},
	"cisco_ios/show_crypto_ipsec_profile/genieparser_2.txt":                                          {cause: CauseUnknown},
	"cisco_ios/show_crypto_ipsec_profile/genieparser_3.txt":                                          {cause: CauseUnknown},
	"cisco_ios/show_crypto_ipsec_sa/aws-vpn-guide_1.txt":                                             {cause: CauseHealthy},
	"cisco_ios/show_crypto_ipsec_sa/aws-vpn-guide_2.txt":                                             {cause: CauseHealthy},
	"cisco_ios/show_crypto_ipsec_sa/genieparser_1.txt":                                               {cause: CauseHealthy},
	"cisco_ios/show_crypto_ipsec_sa_count/genieparser_1.txt":                                         {cause: CauseUnknown},
	"cisco_ios/show_crypto_ipsec_sa_detail/genieparser_1.txt":                                        {cause: CauseHealthy},
	"cisco_ios/show_crypto_ipsec_sa_detail/genieparser_2.txt":                                        {cause: CauseNoInterestingTraffic},
	"cisco_ios/show_crypto_ipsec_sa_detail/genieparser_3.txt":                                        {cause: CauseHealthy},
	"cisco_ios/show_crypto_ipsec_sa_detail/genieparser_4.txt":                                        {cause: CauseHealthy},
	"cisco_ios/show_crypto_ipsec_sa_detail/ntc-templates_1.txt":                                      {cause: CauseHealthy},
	"cisco_ios/show_crypto_ipsec_sa_detail/ntc-templates_2.txt":                                      {cause: CauseHealthy},
	"cisco_ios/show_crypto_ipsec_sa_detail/ntc-templates_3.txt":                                      {cause: CauseHealthy},
	"cisco_ios/show_crypto_ipsec_sa_interface/genieparser_1.txt":                                     {cause: CauseHealthy},
	"cisco_ios/show_crypto_ipsec_sa_interface/genieparser_2.txt":                                     {cause: CauseHealthy},
	"cisco_ios/show_crypto_ipsec_sa_interface/genieparser_3.txt":                                     {cause: CauseHealthy},
	"cisco_ios/show_crypto_ipsec_sa_interface/genieparser_4.txt":                                     {cause: CauseHealthy},
	"cisco_ios/show_crypto_ipsec_sa_interface/genieparser_5.txt":                                     {cause: CauseHealthy},
	"cisco_ios/show_crypto_ipsec_sa_ipv6_detailed/genieparser_1.txt":                                 {cause: CauseOneWayOutbound},
	"cisco_ios/show_crypto_ipsec_sa_ipv6_detailed/genieparser_2.txt":                                 {cause: CauseHealthy},
	"cisco_ios/show_crypto_ipsec_sa_peer/genieparser_1.txt":                                          {cause: CauseHealthy},
	"cisco_ios/show_crypto_ipsec_sa_peer_detail/genieparser_1.txt":                                   {cause: CauseHealthy},
	"cisco_ios/show_crypto_ipsec_spi-lookup_detail/genieparser_1.txt":                                {cause: CauseUnknown},
	"cisco_ios/show_crypto_isakmp_default_policy/genieparser_1.txt":                                  {cause: CauseUnknown},
	"cisco_ios/show_crypto_isakmp_peer/genieparser_1.txt":                                            {cause: CauseUnknown},
	"cisco_ios/show_crypto_isakmp_peers_config/genieparser_1.txt":                                    {cause: CauseUnknown},
	"cisco_ios/show_crypto_isakmp_sa/aws-vpn-guide_1.txt":                                            {cause: CauseHealthy},
	"cisco_ios/show_crypto_isakmp_sa/aws-vpn-guide_2.txt":                                            {cause: CauseHealthy},
	"cisco_ios/show_crypto_isakmp_sa/genieparser_1.txt":                                              {cause: CausePeerUnreachable},
	"cisco_ios/show_crypto_isakmp_sa/genieparser_2.txt":                                              {cause: CausePeerUnreachable},
	"cisco_ios/show_crypto_isakmp_sa/genieparser_3.txt":                                              {cause: CausePeerUnreachable},
	"cisco_ios/show_crypto_isakmp_sa_active/genieparser_1.txt":                                       {cause: CauseHealthy},
	"cisco_ios/show_crypto_isakmp_sa_count/genieparser_1.txt":                                        {cause: CauseUnknown},
	"cisco_ios/show_crypto_isakmp_sa_detail/genieparser_1.txt":                                       {cause: CauseHealthy},
	"cisco_ios/show_crypto_isakmp_sa_detail/genieparser_2.txt":                                       {cause: CauseHealthy},
	"cisco_ios/show_crypto_isakmp_sa_detail/genieparser_3.txt":                                       {cause: CauseHealthy},
	"cisco_ios/show_crypto_map/genieparser_1.txt":                                                    {cause: CauseUnknown},
	"cisco_ios/show_crypto_map/genieparser_2.txt":                                                    {cause: CauseUnknown},
	"cisco_ios/show_crypto_map/genieparser_3.txt":                                                    {cause: CauseNoInterestingTraffic},
	"cisco_ios/show_crypto_map/genieparser_4.txt":                                                    {cause: CauseUnknown},
	"cisco_ios/show_crypto_mib_ipsec_flowmib_endpoint/genieparser_1.txt":                             {cause: CauseUnknown},
	"cisco_ios/show_crypto_mib_ipsec_flowmib_global/genieparser_1.txt":                               {cause: CauseUnknown},
	"cisco_ios/show_crypto_mib_ipsec_flowmib_tunnel/genieparser_1.txt":                               {cause: CauseUnknown},
	"cisco_ios/show_crypto_session/genieparser_1.txt":                                                {cause: CauseHealthy},
	"cisco_ios/show_crypto_session/genieparser_2.txt":                                                {cause: CauseHealthy},
	"cisco_ios/show_crypto_session/genieparser_3.txt":                                                {cause: CauseHealthy},
	"cisco_ios/show_crypto_session/genieparser_4.txt":                                                {cause: CauseHealthy},
	"cisco_ios/show_crypto_session_detail/cloudflare-docs_1.txt":                                     {cause: CauseHealthy},
	"cisco_ios/show_crypto_session_detail/genieparser_1.txt":                                         {cause: CauseHealthy},
	"cisco_ios/show_crypto_session_detail/genieparser_2.txt":                                         {cause: CauseHealthy},
	"cisco_ios/show_crypto_session_detail/genieparser_3.txt":                                         {cause: CauseHealthy},
	"cisco_ios/show_crypto_session_detail/ntc-templates_1.txt":                                       {cause: CauseHealthy},
	"cisco_ios/show_crypto_session_detail/ntc-templates_2.txt":                                       {cause: CauseHealthy},
	"cisco_ios/show_crypto_session_interface_detail/genieparser_1.txt":                               {cause: CauseHealthy},
	"cisco_ios/show_crypto_session_interface_detail/genieparser_2.txt":                               {cause: CauseHealthy},
	"cisco_ios/show_crypto_session_local/genieparser_1.txt":                                          {cause: CauseHealthy},
	"cisco_ios/show_crypto_session_local_detail/genieparser_1.txt":                                   {cause: CauseHealthy},
	"cisco_ios/show_crypto_session_remote/genieparser_1.txt":                                         {cause: CauseHealthy},
	"cisco_ios/show_crypto_session_remote_detail/cloudflare-docs_1.txt":                              {cause: CauseHealthy},
	"cisco_ios/show_crypto_session_remote_detail/cloudflare-docs_2.txt":                              {cause: CauseHealthy},
	"cisco_ios/show_crypto_session_remote_detail/genieparser_1.txt":                                  {cause: CauseHealthy},
	"cisco_ios/show_crypto_session_remote_detail/genieparser_2.txt":                                  {cause: CauseHealthy},
	"cisco_ios/show_crypto_session_remote_detail/genieparser_3.txt":                                  {cause: CauseHealthy},
	"cisco_ios/show_crypto_session_remote_detail/genieparser_4.txt":                                  {cause: CauseHealthy},
	"cisco_ios/show_crypto_sockets/genieparser_1.txt":                                                {cause: CauseUnknown},
	"cisco_ios/show_crypto_sockets_internal/genieparser_1.txt":                                       {cause: CauseUnknown},
	"cisco_ios/show_dmvpn/genieparser_1.txt":                                                         {cause: CauseUnknown},
	"cisco_ios/show_dmvpn/genieparser_2.txt":                                                         {cause: CauseUnknown},
	"cisco_ios/show_dmvpn/genieparser_3.txt":                                                         {cause: CauseUnknown},
	"cisco_ios/show_dmvpn/ntc-templates_1.txt":                                                       {cause: CauseUnknown},
	"cisco_ios/show_dmvpn_ipv6/genieparser_1.txt":                                                    {cause: CauseUnknown},
	"cisco_ios/show_dmvpn_ipv6/genieparser_2.txt":                                                    {cause: CauseUnknown},
	"cisco_ios/show_monitor_event-trace_crypto_from-boot/genieparser_1.txt":                          {cause: CausePeerUnreachable},
	"cisco_ios/show_monitor_event-trace_crypto_ikev2_event_all/genieparser_1.txt":                    {cause: CauseHealthy},
	"cisco_ios/show_monitor_event-trace_crypto_ipsec_event_latest/genieparser_1.txt":                 {cause: CauseUnknown},
	"cisco_ios/show_platform_hardware_qfp_active_feature_ipsec_data_drop/genieparser_1.txt":          {cause: CauseUnknown},
	"cisco_ios/show_platform_hardware_qfp_active_feature_ipsec_datapath_drops_all/genieparser_1.txt": {cause: CauseUnknown},
	"cisco_ios/show_platform_hardware_qfp_active_feature_ipsec_sa/genieparser_1.txt":                 {cause: CauseUnknown},
	"cisco_ios/show_platform_hardware_qfp_active_feature_ipsec_sa/genieparser_2.txt":                 {cause: CauseUnknown},
	"cisco_ios/show_platform_hardware_qfp_active_feature_ipsec_state/genieparser_1.txt":              {cause: CauseUnknown},
	"cisco_ios/show_platform_hardware_qfp_active_feature_ipsec_state/genieparser_2.txt":              {cause: CauseUnknown},
	"cisco_ios/show_platform_software_distributed-ipsec_tunnel-info/genieparser_1.txt":               {cause: CauseUnknown},
	"cisco_ios/show_platform_software_distributed-ipsec_tunnel-info/genieparser_2.txt":               {cause: CauseUnknown},
	"fortinet/diagnose_debug_flow_trace/cloudflare-docs_1.txt":                                       {cause: CauseHealthy},
	"fortinet/diagnose_sniffer_packet/cloudflare-docs_1.txt":                                         {cause: CauseHealthy, unread: true},
	"fortinet/diagnose_sniffer_packet/cloudflare-docs_2.txt":                                         {cause: CauseHealthy, unread: true},
	"juniper_junos/show_interfaces_st0/aws-vpn-guide_1.txt":                                          {cause: CauseHealthy},
	"juniper_junos/show_security_ike_active-peer/cloudflare-docs_1.txt":                              {cause: CauseHealthy},
	"juniper_junos/show_security_ike_security-associations/aws-vpn-guide_1.txt":                      {cause: CauseHealthy},
	"juniper_junos/show_security_ike_security-associations/cloudflare-docs_1.txt":                    {cause: CauseHealthy},
	"juniper_junos/show_security_ike_security-associations/gcp-community_1.txt":                      {cause: CauseHealthy},
	"juniper_junos/show_security_ike_security-associations/gcp-community_2.txt":                      {cause: CauseHealthy},
	"juniper_junos/show_security_ipsec_security-associations/aws-vpn-guide_1.txt":                    {cause: CauseHealthy},
	"juniper_junos/show_security_ipsec_security-associations/cloudflare-docs_1.txt":                  {cause: CauseHealthy},
	"juniper_junos/show_security_ipsec_security-associations/gcp-community_1.txt":                    {cause: CauseHealthy},
	"juniper_junos/show_security_ipsec_security-associations/gcp-community_2.txt":                    {cause: CauseHealthy},
	"juniper_screenos/get_interface_tunnel/aws-vpn-guide_1.txt":                                      {cause: CauseHealthy, unread: true},
	"juniper_screenos/get_sa/aws-vpn-guide_1.txt":                                                    {cause: CauseHealthy},
	"paloalto_panos/ping_source_host/cloudflare-docs_1.txt":                                          {cause: CauseHealthy, unread: true},
	"paloalto_panos/show_vpn_ike-sa_gateway/cloudflare-docs_1.txt":                                   {cause: CauseHealthy},
	"paloalto_panos/show_vpn_ike-sa_gateway/cloudflare-docs_2.txt":                                   {cause: CauseHealthy},
	"paloalto_panos/show_vpn_ipsec-sa_tunnel/cloudflare-docs_1.txt":                                  {cause: CauseHealthy},
	"paloalto_panos/show_vpn_ipsec-sa_tunnel/cloudflare-docs_2.txt":                                  {cause: CauseHealthy},
	"paloalto_panos/test_vpn_ike-sa_gateway/cloudflare-docs_1.txt":                                   {cause: CauseUnknown},
	"paloalto_panos/test_vpn_ike-sa_gateway/cloudflare-docs_2.txt":                                   {cause: CauseUnknown},
	"paloalto_panos/test_vpn_ipsec-sa_tunnel/cloudflare-docs_1.txt":                                  {cause: CauseUnknown},
	"paloalto_panos/test_vpn_ipsec-sa_tunnel/cloudflare-docs_2.txt":                                  {cause: CauseUnknown},
	"strongswan/ipsec_status/cloudflare-docs_1.txt":                                                  {cause: CauseHealthy},
	"yamaha_rtx/show_ipsec_sa_gateway/aws-vpn-guide_1.txt":                                           {cause: CauseHealthy},
	"yamaha_rtx/show_ipsec_sa_gateway_detail/aws-vpn-guide_1.txt":                                    {cause: CauseHealthy},
	"yamaha_rtx/show_status_tunnel/aws-vpn-guide_1.txt":                                              {cause: CauseHealthy},
}

// TestPublicCorpus diagnoses every file of the public corpus and checks
// the cause; a file expected healthy must also have no failure finding
// at all (no rule fires on its configuration or informational lines).
func TestPublicCorpus(t *testing.T) {
	root, ok := testkit.FindCorpus()
	if !ok {
		t.Skip("public corpus (shared/corpus/public) not found beside the repository")
	}
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".txt") {
			rel, _ := filepath.Rel(root, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	seen := map[string]bool{}
	right, unreadUnknown := 0, 0
	for _, rel := range files {
		seen[rel] = true
		w, ok := corpusWant[rel]
		if !ok {
			t.Errorf("%s: corpus file without an expectation in corpusWant", rel)
			continue
		}
		t.Run(rel, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(root, rel))
			if err != nil {
				t.Fatal(err)
			}
			checkStatedCause(t, filepath.Join(root, strings.TrimSuffix(rel, ".txt")+".expected.json"), w.cause)
			rep := Diagnose(string(raw), Options{})
			checkEvidence(t, rep, string(raw))
			switch {
			case rep.Cause == w.cause:
				right++
			case w.unread && rep.Cause == CauseUnknown:
				unreadUnknown++
				return
			default:
				t.Errorf("got %s/%s (%.2f: %s), want %s", rep.Phase, rep.Cause, rep.Confidence, rep.Summary, w.cause)
				return
			}
			if w.cause == CauseHealthy {
				for _, f := range rep.Findings {
					if f.Cause != CauseHealthy {
						t.Errorf("healthy output, yet finding %s (%.2f): %s", f.Cause, f.Confidence, f.Summary)
					}
				}
			}
		})
	}
	for rel := range corpusWant {
		if !seen[rel] {
			t.Errorf("%s: in corpusWant but not in the corpus", rel)
		}
	}
	t.Logf("public corpus: %d of %d files diagnosed as expected; %d of a vendor or command not read yet answered unknown", right, len(files), unreadUnknown)
}

// checkStatedCause: a .expected.json of kind "diagnosis" beside a corpus
// file states the cause its source gives; the table must say the same.
func checkStatedCause(t *testing.T, path, cause string) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		return // most corpus files have no expectation, or one of a parser kind
	}
	var exp struct {
		Kind  string `json:"kind"`
		Cause string `json:"cause"`
	}
	if err := json.Unmarshal(raw, &exp); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if exp.Kind == "diagnosis" && exp.Cause != cause {
		t.Errorf("%s states %s, corpusWant says %s", path, exp.Cause, cause)
	}
}

// TestHealthyCasesFireNoRule: every healthy testdata case (the seed
// documents' good debugs among them) gives healthy findings only: no rule
// fires on a configuration, informational or trace-noise line.
func TestHealthyCasesFireNoRule(t *testing.T) {
	files, _ := filepath.Glob("testdata/cases/healthy/*.txt")
	if len(files) == 0 {
		t.Fatal("no healthy cases")
	}
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var w want // a multi-peer case names the healthy peer it is about
		if wb, err := os.ReadFile(strings.TrimSuffix(file, ".txt") + ".want.json"); err == nil {
			if err := json.Unmarshal(wb, &w); err != nil {
				t.Fatalf("%s: %v", file, err)
			}
		}
		rep := Diagnose(string(raw), Options{Peer: w.FocusPeer})
		for _, f := range rep.Findings {
			if f.Cause != CauseHealthy {
				t.Errorf("%s: finding %s (%.2f): %s", file, f.Cause, f.Confidence, f.Summary)
			}
		}
	}
}
