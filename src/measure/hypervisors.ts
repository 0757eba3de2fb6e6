/**
 * What a hypervisor is, in a sentence, for the ones a reader may not know;
 * said beside the machine line of a profile. Keys are the names the boot log
 * gives ("Hypervisor detected: PVM").
 */
const ABOUT: Readonly<Record<string, string>> = {
  PVM: "PVM is an out-of-tree hypervisor on a KVM host that runs the guest kernel paravirtualized, without hardware " +
    "virtualization inside the guest (RFC \"KVM: x86/PVM: Introduce a new hypervisor\", LKML 2024-02-26; github.com/virt-pvm/linux). " +
    "The public tree's guests flush remote TLBs with kvm_flush_tlb_multi; \"pv-lite\" builds flush them with the " +
    "PVM_HC_FLUSH_TLB_MULTI hypercall (pvm_flush_tlb_multi) and send no flush IPI. Whether that hypercall returns before the " +
    "targets' TLBs are flushed is not public.",
};

/** The sentence on `hypervisor`, or undefined for a well-known one. */
export const aboutHypervisor = (hypervisor: string | null): string | undefined => (hypervisor ? ABOUT[hypervisor] : undefined);
