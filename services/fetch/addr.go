package fetch

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"syscall"
)

// ErrForbiddenAddress means a URL leads to an address the fetcher may not
// reach: loopback, private, link-local (the cloud metadata address among
// them), unspecified or multicast.
var ErrForbiddenAddress = errors.New("forbidden address")

// publicOnly is a net.Dialer Control func: it checks the address actually
// dialled, after DNS resolution and on every redirect, so neither a
// hostname resolving to 10.0.0.1 nor a redirect to 127.0.0.1 gets through.
func publicOnly(network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrForbiddenAddress, address)
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrForbiddenAddress, address)
	}
	if !IsPublic(ip) {
		return fmt.Errorf("%w: %s", ErrForbiddenAddress, ip)
	}
	return nil
}

// IsPublic reports whether ip is a globally routable unicast address.
func IsPublic(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() ||
		ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// nonPublic are special-purpose ranges that netip has no predicate for.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // TEST-NET-1
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // TEST-NET-2
	netip.MustParsePrefix("203.0.113.0/24"),  // TEST-NET-3
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, broadcast
	netip.MustParsePrefix("64:ff9b::/96"),    // NAT64, can map to private IPv4
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
}

// numericHost reports whether host is an IPv4 address written in one of
// the forms inet_aton accepts besides dotted decimal (2130706433,
// 0177.0.0.1, 0x7f.1): such hosts mean a private address as often as not
// and no news site uses them, so they are refused.
func numericHost(host string) bool {
	if host == "" || strings.Trim(host, "0123456789.xXabcdefABCDEF") != "" {
		return false
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return false // plain dotted decimal: checked when dialled
	}
	for _, part := range strings.Split(host, ".") {
		p := strings.ToLower(part)
		if p == "" {
			return false
		}
		base := 10
		switch {
		case strings.HasPrefix(p, "0x"):
			p, base = p[2:], 16
		case len(p) > 1 && p[0] == '0':
			base = 8
		}
		if _, err := strconv.ParseUint(p, base, 32); err != nil {
			return false
		}
	}
	return true
}
